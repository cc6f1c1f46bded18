// Classification with kube's bootstrap configuration: which FlowSchema (and so priority level) a
// request lands in, by subject, resource and non-resource rules and matching precedence, and its flow.
import { describe, expect, it } from 'vitest';
import { FlowControl } from '../../../server/flowcontrol/controller.js';
import { requestInfo } from '../../../server/http/request-info.js';
import { mandatoryFlowSchemas, mandatoryPriorityLevels, suggestedFlowSchemas, suggestedPriorityLevels } from '../../../server/resources/flowcontrol/bootstrap-configuration.js';

const fc = new FlowControl(600);
fc.configure([...mandatoryFlowSchemas, ...suggestedFlowSchemas], [...mandatoryPriorityLevels, ...suggestedPriorityLevels]);

function classify(method: string, path: string, name: string, groups: string[]) {
  const c = fc.classify({ info: requestInfo(method, path, new URLSearchParams()), user: { name, groups } });
  return [c.flowSchema.name, c.priorityLevel.name, c.distinguisher];
}

const authenticated = 'system:authenticated';

describe('classification', () => {
  it('sends each kind of client where kube\'s suggested configuration does', () => {
    expect(classify('GET', '/api/v1/pods', 'admin', ['system:masters', authenticated])).toEqual(['exempt', 'exempt', '']);
    expect(classify('GET', '/readyz', 'system:anonymous', ['system:unauthenticated'])).toEqual(['probes', 'exempt', '']);
    // A probe path by another verb is not a probe.
    expect(classify('POST', '/readyz', 'system:anonymous', ['system:unauthenticated'])).toEqual(['global-default', 'global-default', 'system:anonymous']);
    expect(classify('PUT', '/api/v1/nodes/n1/status', 'system:node:n1', ['system:nodes', authenticated])).toEqual(['system-node-high', 'node-high', 'system:node:n1']);
    expect(classify('PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/n1', 'system:node:n1', ['system:nodes', authenticated])).toEqual(['system-node-high', 'node-high', 'system:node:n1']);
    expect(classify('GET', '/api/v1/namespaces/default/pods', 'system:node:n1', ['system:nodes', authenticated])).toEqual(['system-nodes', 'system', 'system:node:n1']);
    expect(classify('PUT', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager', 'system:kube-controller-manager', [authenticated]))
      .toEqual(['system-leader-election', 'leader-election', 'system:kube-controller-manager']);
    // The same user's other requests: by namespace, so one namespace's burst queues behind itself.
    expect(classify('GET', '/api/v1/namespaces/apps/pods', 'system:kube-controller-manager', [authenticated])).toEqual(['kube-controller-manager', 'workload-high', 'apps']);
    expect(classify('GET', '/api/v1/nodes', 'system:kube-scheduler', [authenticated])[0]).toBe('kube-scheduler');
    expect(classify('GET', '/api/v1/namespaces/kube-system/pods', 'system:serviceaccount:kube-system:replicaset-controller', ['system:serviceaccounts', 'system:serviceaccounts:kube-system', authenticated]))
      .toEqual(['kube-system-service-accounts', 'workload-high', 'kube-system']);
    expect(classify('GET', '/api/v1/namespaces/apps/pods', 'system:serviceaccount:apps:default', ['system:serviceaccounts', 'system:serviceaccounts:apps', authenticated]))
      .toEqual(['service-accounts', 'workload-low', 'system:serviceaccount:apps:default']);
    expect(classify('GET', '/api/v1/namespaces/apps/pods', 'alice', [authenticated])).toEqual(['global-default', 'global-default', 'alice']);
  });

  it('follows matching precedence, resource and non-resource rules, and skips dangling schemas', () => {
    const rule = (extra: object) => ({ subjects: [{ kind: 'Group', group: { name: 'team' } }], ...extra });
    const fs = (name: string, pl: string, precedence: number, r: object) => ({ metadata: { name, uid: `uid-${name}` }, spec: { priorityLevelConfiguration: { name: pl }, matchingPrecedence: precedence, rules: [rule(r)] } });
    const own = new FlowControl(600);
    own.configure([
      fs('secrets-in-a', 'global-default', 200, { resourceRules: [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'], namespaces: ['a'] }] }),
      fs('status-only', 'global-default', 300, { resourceRules: [{ verbs: ['*'], apiGroups: ['apps'], resources: ['deployments/status'], namespaces: ['*'] }] }),
      fs('metrics-urls', 'global-default', 400, { nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/metrics', '/debug/*'] }] }),
      fs('dangling', 'no-such-level', 100, { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['*'], clusterScope: true }] }),
    ], [...suggestedPriorityLevels]);
    const as = (method: string, path: string) => own.classify({ info: requestInfo(method, path, new URLSearchParams()), user: { name: 'bob', groups: ['team', authenticated] } }).flowSchema.name;
    expect(as('GET', '/api/v1/namespaces/a/secrets/s')).toBe('secrets-in-a');
    expect(as('GET', '/api/v1/namespaces/b/secrets/s')).toBe('catch-all'); // the imagined mandatory catch-all
    expect(as('PUT', '/apis/apps/v1/namespaces/x/deployments/d/status')).toBe('status-only');
    expect(as('PUT', '/apis/apps/v1/namespaces/x/deployments/d')).toBe('catch-all');
    expect(as('GET', '/metrics')).toBe('metrics-urls');
    expect(as('GET', '/debug/pprof/heap')).toBe('metrics-urls');
    expect(as('GET', '/debugger')).toBe('catch-all');
    // Cluster-scoped requests match only rules with clusterScope.
    expect(as('GET', '/api/v1/nodes')).toBe('catch-all');
  });
});
