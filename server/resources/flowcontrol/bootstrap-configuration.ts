// kube's APF bootstrap configuration (k8s.io/apiserver pkg/apis/flowcontrol/bootstrap): the mandatory objects
// (exempt, catch-all) and the suggested ones, already in their defaulted form so a spec compares as kube's does.
/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

export const autoUpdateAnnotation = 'apf.kubernetes.io/autoupdate-spec';

const everything = { verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['*'], clusterScope: true };
const everyURL = { verbs: ['*'], nonResourceURLs: ['*'] };
const groups = (...names: string[]) => names.map((name) => ({ kind: 'Group', group: { name } }));
const users = (...names: string[]) => names.map((name) => ({ kind: 'User', user: { name } }));
const kubeSystemServiceAccounts = [{ kind: 'ServiceAccount', serviceAccount: { name: '*', namespace: 'kube-system' } }];

function priorityLevel(name: string, spec: Obj): Obj {
  return { apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'PriorityLevelConfiguration', metadata: { name, annotations: { [autoUpdateAnnotation]: 'true' } }, spec };
}

function queued(shares: number, lendable: number, queues: number, handSize: number): Obj {
  return { type: 'Limited', limited: { nominalConcurrencyShares: shares, lendablePercent: lendable, limitResponse: { type: 'Queue', queuing: { queues, handSize, queueLengthLimit: 50 } } } };
}

function flowSchema(name: string, priorityLevelName: string, matchingPrecedence: number, distinguisher: string | undefined, rule: Obj): Obj {
  return {
    apiVersion: 'flowcontrol.apiserver.k8s.io/v1', kind: 'FlowSchema', metadata: { name, annotations: { [autoUpdateAnnotation]: 'true' } },
    spec: { priorityLevelConfiguration: { name: priorityLevelName }, matchingPrecedence, ...distinguisher ? { distinguisherMethod: { type: distinguisher } } : {}, rules: [rule] },
  };
}

const allOf = (subjects: Obj[]) => ({ subjects, resourceRules: [everything], nonResourceRules: [everyURL] });

export const mandatoryPriorityLevels: Obj[] = [
  priorityLevel('catch-all', { type: 'Limited', limited: { nominalConcurrencyShares: 5, lendablePercent: 0, limitResponse: { type: 'Reject' } } }),
  priorityLevel('exempt', { type: 'Exempt', exempt: { nominalConcurrencyShares: 0, lendablePercent: 0 } }),
];

export const mandatoryFlowSchemas: Obj[] = [
  flowSchema('exempt', 'exempt', 1, undefined, allOf(groups('system:masters'))),
  flowSchema('catch-all', 'catch-all', 10000, 'ByUser', allOf(groups('system:unauthenticated', 'system:authenticated'))),
];

export const suggestedPriorityLevels: Obj[] = [
  priorityLevel('system', queued(30, 33, 64, 6)),
  priorityLevel('node-high', queued(40, 25, 64, 6)),
  priorityLevel('leader-election', queued(10, 0, 16, 4)),
  priorityLevel('workload-high', queued(40, 50, 128, 6)),
  priorityLevel('workload-low', queued(100, 90, 128, 6)),
  priorityLevel('global-default', queued(20, 50, 128, 6)),
];

export const suggestedFlowSchemas: Obj[] = [
  flowSchema('system-nodes', 'system', 500, 'ByUser', allOf(groups('system:nodes'))),
  flowSchema('system-node-high', 'node-high', 400, 'ByUser', {
    subjects: groups('system:nodes'),
    resourceRules: [
      { verbs: ['*'], apiGroups: [''], resources: ['nodes', 'nodes/status'], namespaces: ['*'], clusterScope: true },
      { verbs: ['*'], apiGroups: ['coordination.k8s.io'], resources: ['leases'], namespaces: ['*'] },
    ],
  }),
  flowSchema('probes', 'exempt', 2, undefined, {
    subjects: groups('system:unauthenticated', 'system:authenticated'),
    nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/readyz', '/livez'] }],
  }),
  flowSchema('system-leader-election', 'leader-election', 100, 'ByUser', {
    subjects: [...users('system:kube-controller-manager', 'system:kube-scheduler'), ...kubeSystemServiceAccounts],
    resourceRules: [{ verbs: ['get', 'create', 'update'], apiGroups: ['coordination.k8s.io'], resources: ['leases'], namespaces: ['*'] }],
  }),
  flowSchema('kube-controller-manager', 'workload-high', 800, 'ByNamespace', allOf(users('system:kube-controller-manager'))),
  flowSchema('kube-scheduler', 'workload-high', 800, 'ByNamespace', allOf(users('system:kube-scheduler'))),
  flowSchema('kube-system-service-accounts', 'workload-high', 900, 'ByNamespace', allOf(kubeSystemServiceAccounts)),
  flowSchema('service-accounts', 'workload-low', 9000, 'ByUser', allOf(groups('system:serviceaccounts'))),
  flowSchema('global-default', 'global-default', 9900, 'ByUser', allOf(groups('system:unauthenticated', 'system:authenticated'))),
];
