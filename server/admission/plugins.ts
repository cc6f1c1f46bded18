// Every admission plugin kube-apiserver knows, in kube's recommended order (AllOrderedPlugins in
// pkg/kubeapiserver/options/plugins.go), whether kube enables it by default, and the factory of
// the ones this server implements. --enable-admission-plugins / --disable-admission-plugins pick
// from this list; the chain always keeps this order, whatever order the flags name them in.
import { errors } from '../api/errors.js';
import type { Authorizer } from '../authorization/authorizer.js';
import { CertificateApproval, CertificateSigning, CertificateSubjectRestriction } from '../certificates/admission.js';
import type { TypeRegistry } from '../registry/registry.js';
import type { Storage } from '../storage/interface.js';
import { CachedReads } from './cached-reads.js';
import type { AdmissionPlugin } from './chain.js';
import { LimitRanger } from './limit-ranger.js';
import { MutatingAdmissionWebhook } from './mutating-webhook.js';
import { NamespaceLifecycle } from './namespace-lifecycle.js';
import { pluginConfiguration } from './plugin-config.js';
import { PodSecurity } from './pod-security/admission.js';
import { podSecurityConfiguration } from './pod-security/configuration.js';
import { ResourceQuota } from './resource-quota.js';
import { ServiceAccountAdmission, serviceAccountsFrom } from './service-account.js';
import { ValidatingAdmissionWebhook } from './validating-webhook.js';
import type { ValidatingAdmissionPolicyPlugin } from './validating-admission-policy.js';
import type { WebhookDispatch } from './webhook-dispatch.js';

/** What plugins are built from. */
export interface PluginContext {
  storage: Storage;
  types: TypeRegistry;
  authorizer: Authorizer;
  webhooks: WebhookDispatch;
  /** --admission-control-config-file: the plugins' own configuration (PodSecurity's defaults and exemptions). */
  admissionControlConfigFile?: string;
  /** Built by the server, which starts and stops its policy followers. */
  policies: ValidatingAdmissionPolicyPlugin;
}

interface PluginEntry {
  name: string;
  defaultOn: boolean;
  /** Unset: kube has it, this server does not; naming it in --enable-admission-plugins refuses to start. */
  factory?: (ctx: PluginContext) => AdmissionPlugin;
}

const on = (name: string, factory?: PluginEntry['factory']): PluginEntry => ({ name, defaultOn: true, factory });
const off = (name: string, factory?: PluginEntry['factory']): PluginEntry => ({ name, defaultOn: false, factory });

const alwaysAdmit: AdmissionPlugin = { name: 'AlwaysAdmit', handles: () => true, admit: async () => undefined };
const alwaysDeny: AdmissionPlugin = {
  name: 'AlwaysDeny', handles: () => true,
  admit: async (a) => {
    const m = a.object?.metadata ?? a.oldObject?.metadata;
    throw errors.forbiddenResource(a.resource.group, a.resource.resource, a.name || m?.name || m?.generateName || 'Unknown',
      'admission control is denying all modifications');
  },
};

/** kube's AllOrderedPlugins; one line per plugin. */
export const admissionPlugins: readonly PluginEntry[] = [
  off('AlwaysAdmit', () => alwaysAdmit),
  off('NamespaceAutoProvision'),
  on('NamespaceLifecycle', (c) => new NamespaceLifecycle(c.storage, c.types)),
  off('NamespaceExists'),
  off('LimitPodHardAntiAffinityTopology'),
  on('LimitRanger', (c) => new LimitRanger(c.storage, c.types)),
  on('ServiceAccount', (c) => new ServiceAccountAdmission(serviceAccountsFrom(new CachedReads(c.storage, c.types)))),
  off('NodeRestriction'),
  on('TaintNodesByCondition'),
  off('AlwaysPullImages'),
  off('ImagePolicyWebhook'),
  on('PodSecurity', (c) => {
    const reads = new CachedReads(c.storage, c.types);
    return new PodSecurity(podSecurityConfiguration(pluginConfiguration(c.admissionControlConfigFile, 'PodSecurity')),
      { namespace: (name) => reads.get('', 'namespaces', '', name), pods: (ns) => reads.all('', 'pods', ns) });
  }),
  off('PodNodeSelector'),
  on('Priority'),
  on('DefaultTolerationSeconds'),
  off('PodTolerationRestriction'),
  off('EventRateLimit'),
  off('ExtendedResourceToleration'),
  on('DefaultStorageClass'),
  on('StorageObjectInUseProtection'),
  off('OwnerReferencesPermissionEnforcement'),
  on('PersistentVolumeClaimResize'),
  on('RuntimeClass'),
  on('CertificateApproval', (c) => new CertificateApproval(c.authorizer)),
  on('CertificateSigning', (c) => new CertificateSigning(c.authorizer)),
  on('ClusterTrustBundleAttest'),
  on('CertificateSubjectRestriction', () => new CertificateSubjectRestriction()),
  on('DefaultIngressClass'),
  off('DenyServiceExternalIPs'),
  on('PodTopologyLabels'),
  on('NodeDeclaredFeatureValidator'),
  // webhook, resourcequota, and deny plugins must go at the end
  on('MutatingAdmissionPolicy'),
  on('MutatingAdmissionWebhook', (c) => new MutatingAdmissionWebhook(c.webhooks)),
  on('ValidatingAdmissionPolicy', (c) => c.policies),
  on('ValidatingAdmissionWebhook', (c) => new ValidatingAdmissionWebhook(c.webhooks)),
  on('ResourceQuota', (c) => new ResourceQuota(c.storage, c.types)),
  off('AlwaysDeny', () => alwaysDeny),
];

/**
 * The plugins to run, in kube's order (kube's enabledPluginNames), after kube's checks of the flags;
 * throws with kube's messages (one, or several in brackets as utilerrors.NewAggregate prints them).
 */
export function enabledAdmissionPlugins(enable: readonly string[], disable: readonly string[]): string[] {
  const known = new Map(admissionPlugins.map((p) => [p.name, p]));
  const errs: string[] = [];
  for (const name of enable) if (!known.has(name)) errs.push(`enable-admission-plugins plugin "${name}" is unknown`);
  for (const name of disable) if (!known.has(name)) errs.push(`disable-admission-plugins plugin "${name}" is unknown`);
  const overlap = [...new Set(enable.filter((n) => disable.includes(n)))].sort();
  if (overlap.length) errs.push(`[${overlap.join(' ')}] in enable-admission-plugins and disable-admission-plugins overlapped`);
  // Ours: a plugin kube has and this server lacks is refused rather than silently left out.
  for (const name of enable) {
    if (known.has(name) && !known.get(name)!.factory) errs.push(`enable-admission-plugins plugin "${name}" is not implemented by this server`);
  }
  if (errs.length) throw new Error(errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`);
  return admissionPlugins
    .filter((p) => !disable.includes(p.name) && (p.defaultOn || enable.includes(p.name)))
    .map((p) => p.name);
}

/** The chain's plugins for these names (validated by enabledAdmissionPlugins); names this server lacks are skipped. */
export function buildAdmissionPlugins(names: readonly string[], ctx: PluginContext): AdmissionPlugin[] {
  return admissionPlugins.filter((p) => names.includes(p.name) && p.factory).map((p) => p.factory!(ctx));
}
