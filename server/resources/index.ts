// Every built-in resource, registered in kube-apiserver's discovery order.
import type { TypeRegistry } from '../registry/registry.js';
import type { ResourceType } from '../registry/types.js';
import { mutatingwebhookconfigurations } from './admissionregistration/mutatingwebhookconfigurations.js';
import { validatingadmissionpolicies } from './admissionregistration/validatingadmissionpolicies.js';
import { validatingadmissionpolicybindings } from './admissionregistration/validatingadmissionpolicybindings.js';
import { validatingwebhookconfigurations } from './admissionregistration/validatingwebhookconfigurations.js';
import { customresourcedefinitions } from './apiextensions/customresourcedefinitions.js';
import { apiservices } from './apiregistration/apiservices.js';
import { selfsubjectreviews } from './authentication/selfsubjectreviews.js';
import { tokenreviews } from './authentication/tokenreviews.js';
import { controllerrevisions } from './apps/controllerrevisions.js';
import { daemonsets } from './apps/daemonsets.js';
import { deployments } from './apps/deployments.js';
import { replicasets } from './apps/replicasets.js';
import { statefulsets } from './apps/statefulsets.js';
import { horizontalpodautoscalersV1, horizontalpodautoscalersV2 } from './autoscaling/horizontalpodautoscalers.js';
import { cronjobs } from './batch/cronjobs.js';
import { jobs } from './batch/jobs.js';
import { certificatesigningrequests } from './certificates/certificatesigningrequests.js';
import { leases } from './coordination/leases.js';
import { bindings } from './core/bindings.js';
import { componentstatuses } from './core/componentstatuses.js';
import { configmaps } from './core/configmaps.js';
import { endpoints } from './core/endpoints.js';
import { events } from './core/events.js';
import { limitranges } from './core/limitranges.js';
import { namespaces } from './core/namespaces.js';
import { nodes } from './core/nodes.js';
import { persistentvolumeclaims } from './core/persistentvolumeclaims.js';
import { persistentvolumes } from './core/persistentvolumes.js';
import { pods } from './core/pods.js';
import { podtemplates } from './core/podtemplates.js';
import { replicationcontrollers } from './core/replicationcontrollers.js';
import { resourcequotas } from './core/resourcequotas.js';
import { secrets } from './core/secrets.js';
import { serviceaccounts } from './core/serviceaccounts.js';
import { services } from './core/services.js';
import { endpointslices } from './discovery/endpointslices.js';
import { eventsV1 } from './events/events.js';
import { flowschemas } from './flowcontrol/flowschemas.js';
import { prioritylevelconfigurations } from './flowcontrol/prioritylevelconfigurations.js';
import { ingressclasses } from './networking/ingressclasses.js';
import { ingresses } from './networking/ingresses.js';
import { ipaddresses } from './networking/ipaddresses.js';
import { networkpolicies } from './networking/networkpolicies.js';
import { servicecidrs } from './networking/servicecidrs.js';
import { runtimeclasses } from './node/runtimeclasses.js';
import { poddisruptionbudgets } from './policy/poddisruptionbudgets.js';
import { localsubjectaccessreviews, selfsubjectaccessreviews, selfsubjectrulesreviews, subjectaccessreviews } from './authorization/subjectaccessreviews.js';
import { clusterrolebindings } from './rbac/clusterrolebindings.js';
import { clusterroles } from './rbac/clusterroles.js';
import { rolebindings } from './rbac/rolebindings.js';
import { roles } from './rbac/roles.js';
import { deviceclasses } from './resource/deviceclasses.js';
import { resourceclaims } from './resource/resourceclaims.js';
import { resourceclaimtemplates } from './resource/resourceclaimtemplates.js';
import { resourceslices } from './resource/resourceslices.js';
import { priorityclasses } from './scheduling/priorityclasses.js';
import { csidrivers } from './storage/csidrivers.js';
import { csinodes } from './storage/csinodes.js';
import { csistoragecapacities } from './storage/csistoragecapacities.js';
import { storageclasses } from './storage/storageclasses.js';
import { volumeattachments } from './storage/volumeattachments.js';
import { volumeattributesclasses } from './storage/volumeattributesclasses.js';

export const builtinResources: ResourceType[] = [
  // core/v1
  bindings, componentstatuses, configmaps, endpoints, events, limitranges, namespaces, nodes, persistentvolumeclaims, persistentvolumes, pods,
  podtemplates, replicationcontrollers, resourcequotas, secrets, serviceaccounts, services,
  // named groups (apiregistration.k8s.io first, as kube-aggregator lists itself)
  apiservices,
  controllerrevisions, daemonsets, deployments, replicasets, statefulsets,
  eventsV1,
  selfsubjectreviews, tokenreviews,
  horizontalpodautoscalersV2, horizontalpodautoscalersV1,
  cronjobs, jobs,
  certificatesigningrequests,
  ingressclasses, ingresses, ipaddresses, networkpolicies, servicecidrs,
  poddisruptionbudgets,
  clusterrolebindings, clusterroles, rolebindings, roles,
  localsubjectaccessreviews, selfsubjectaccessreviews, selfsubjectrulesreviews, subjectaccessreviews,
  csidrivers, csinodes, csistoragecapacities, storageclasses, volumeattachments, volumeattributesclasses,
  mutatingwebhookconfigurations, validatingadmissionpolicies, validatingadmissionpolicybindings, validatingwebhookconfigurations,
  customresourcedefinitions,
  priorityclasses,
  leases,
  runtimeclasses,
  endpointslices,
  flowschemas, prioritylevelconfigurations,
  deviceclasses, resourceclaims, resourceclaimtemplates, resourceslices,
];

export function registerBuiltins(types: TypeRegistry): void {
  for (const rt of builtinResources) types.add(rt);
}
