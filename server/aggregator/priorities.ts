// kube-apiserver's APIService priorities for the built-in group/versions (cmd/kube-apiserver/app/aggregator.go
// merged over pkg/controlplane/apiserver DefaultGenericAPIServicePriorities); a group/version not listed
// gets no APIService, as in kube. CRDs get 1000/100 (crdregistration).

export interface APIServicePriority {
  group: number;
  version: number;
}

const table: Array<[string, string, number, number]> = [
  ['', 'v1', 18000, 1],
  ['events.k8s.io', 'v1', 17750, 15], ['events.k8s.io', 'v1beta1', 17750, 5],
  ['apps', 'v1', 17800, 15],
  ['authentication.k8s.io', 'v1', 17700, 15], ['authentication.k8s.io', 'v1beta1', 17700, 9], ['authentication.k8s.io', 'v1alpha1', 17700, 1],
  ['authorization.k8s.io', 'v1', 17600, 15],
  ['autoscaling', 'v1', 17500, 15], ['autoscaling', 'v2', 17500, 30], ['autoscaling', 'v2beta1', 17500, 9], ['autoscaling', 'v2beta2', 17500, 1],
  ['batch', 'v1', 17400, 15], ['batch', 'v1beta1', 17400, 9], ['batch', 'v2alpha1', 17400, 9],
  ['certificates.k8s.io', 'v1', 17300, 15], ['certificates.k8s.io', 'v1beta1', 17300, 9], ['certificates.k8s.io', 'v1alpha1', 17300, 1],
  ['networking.k8s.io', 'v1', 17200, 15], ['networking.k8s.io', 'v1beta1', 17200, 9],
  ['policy', 'v1', 17100, 15], ['policy', 'v1beta1', 17100, 9],
  ['rbac.authorization.k8s.io', 'v1', 17000, 15],
  ['storage.k8s.io', 'v1', 16800, 15], ['storage.k8s.io', 'v1beta1', 16800, 9], ['storage.k8s.io', 'v1alpha1', 16800, 1],
  ['apiextensions.k8s.io', 'v1', 16700, 15],
  ['admissionregistration.k8s.io', 'v1', 16700, 15], ['admissionregistration.k8s.io', 'v1beta1', 16700, 12], ['admissionregistration.k8s.io', 'v1alpha1', 16700, 9],
  ['scheduling.k8s.io', 'v1', 16600, 15], ['scheduling.k8s.io', 'v1alpha1', 16600, 1],
  ['coordination.k8s.io', 'v1', 16500, 15], ['coordination.k8s.io', 'v1beta1', 16500, 13], ['coordination.k8s.io', 'v1alpha2', 16500, 12],
  ['node.k8s.io', 'v1', 16300, 15], ['node.k8s.io', 'v1alpha1', 16300, 1], ['node.k8s.io', 'v1beta1', 16300, 9],
  ['discovery.k8s.io', 'v1', 16200, 15], ['discovery.k8s.io', 'v1beta1', 16200, 12],
  ['resource.k8s.io', 'v1', 16200, 21], ['resource.k8s.io', 'v1beta2', 16200, 15], ['resource.k8s.io', 'v1beta1', 16200, 9], ['resource.k8s.io', 'v1alpha3', 16200, 1],
  ['flowcontrol.apiserver.k8s.io', 'v1', 16100, 21], ['flowcontrol.apiserver.k8s.io', 'v1beta3', 16100, 18], ['flowcontrol.apiserver.k8s.io', 'v1beta2', 16100, 15],
  ['flowcontrol.apiserver.k8s.io', 'v1beta1', 16100, 12], ['flowcontrol.apiserver.k8s.io', 'v1alpha1', 16100, 9],
  ['internal.apiserver.k8s.io', 'v1alpha1', 16000, 9],
  ['storagemigration.k8s.io', 'v1beta1', 15800, 9],
];

const byGroupVersion = new Map(table.map(([g, v, group, version]) => [`${g}/${v}`, { group, version }]));

export function builtinPriority(group: string, version: string): APIServicePriority | undefined {
  return byGroupVersion.get(`${group}/${version}`);
}

export const crdPriority: APIServicePriority = { group: 1000, version: 100 };

/** kube-aggregator's own group comes first in discovery (APIRegistrationGroupPriority). */
export const apiRegistrationGroupPriority = 20001;

export const apiServiceName = (group: string, version: string): string => `${version}.${group}`;
