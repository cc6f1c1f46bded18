// Every post-start hook, in the order they run, beside the resources they serve (kube's PostStartHooks).
import { startCertificateControllers } from './certificates/csr-controllers.js';
import { ensureKubernetesService } from './core/kubernetes-service.js';
import { startClusterAuthenticationTrust } from './core/extension-apiserver-authentication.js';
import { ensureLegacyTokenTracking } from './core/legacy-token-tracking.js';
import { startNamespaceFinisher } from './core/namespace-lifecycle.js';
import { startNamespaceDefaults } from './core/namespace-defaults-controller.js';
import { ensureSystemNamespaces } from './core/system-namespaces.js';
import { ensureDefaultServiceCIDR } from './networking/default-service-cidr.js';
import type { PostStartHook } from './post-start.js';
import { startClusterRoleAggregation } from './rbac/aggregation-controller.js';
import { ensureBootstrapPolicy } from './rbac/bootstrap-policy.js';
import { startAutoRegistration } from './apiregistration/autoregistration.js';
import { startCustomResourceDefinitionWatcher } from './apiextensions/serve-custom-resources.js';
import { ensureSystemPriorityClasses } from './scheduling/priorityclasses.js';
import { ensurePriorityAndFairnessConfiguration } from './flowcontrol/ensure-configuration.js';

export const postStartHooks: readonly PostStartHook[] = [
  { name: 'start-system-namespaces-controller', run: ensureSystemNamespaces },
  { name: 'start-kubernetes-service-cidr-controller', run: ensureDefaultServiceCIDR },
  { name: 'bootstrap-controller', run: ensureKubernetesService },
  { name: 'start-namespace-finisher', run: async (ctx) => startNamespaceFinisher(ctx) },
  { name: 'scheduling/bootstrap-system-priority-classes', run: ensureSystemPriorityClasses },
  { name: 'rbac/bootstrap-roles', run: ensureBootstrapPolicy },
  { name: 'priority-and-fairness-config-producer', run: ensurePriorityAndFairnessConfiguration },
  { name: 'start-clusterrole-aggregation-controller', run: startClusterRoleAggregation },
  { name: 'start-legacy-token-tracking-controller', run: ensureLegacyTokenTracking },
  { name: 'start-cluster-authentication-info-controller', run: startClusterAuthenticationTrust },
  { name: 'start-apiextensions-controllers', run: startCustomResourceDefinitionWatcher },
  { name: 'kube-apiserver-autoregistration', run: startAutoRegistration },
  // kube-controller-manager's csrsigning and csrcleaner controllers, which the server runs itself.
  { name: 'start-csr-controllers', run: startCertificateControllers },
  // kube-controller-manager's serviceaccount and root-ca-cert-publisher controllers, likewise.
  { name: 'start-namespace-defaults-controller', run: startNamespaceDefaults },
];
