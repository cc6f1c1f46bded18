import { describe, expect, it } from 'vitest';
import { aggregatedRules } from '../../server/resources/rbac/aggregation-controller.js';
import { compactString, covers, escalationError } from '../../server/authorization/rbac/escalation.js';
import { onlyGarbageCollectionFields } from '../../server/resources/rbac/escalation-check.js';
import { bootstrapPolicy, reconciled } from '../../server/resources/rbac/bootstrap-policy.js';

const alice = { name: 'alice', groups: ['devs', 'system:authenticated'] };

describe('escalation check (Covers, ConfirmNoEscalation)', () => {
  it('covers rule pieces by verb, group, resource, subresource and name', () => {
    const owner = [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', '*/status'] }, { verbs: ['update'], apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'] }];
    expect(covers(owner, [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]).covered).toBe(true);
    expect(covers(owner, [{ verbs: ['get'], apiGroups: [''], resources: ['pods/status'] }]).covered).toBe(true);
    expect(covers(owner, [{ verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }]).covered).toBe(false);
    expect(covers(owner, [{ verbs: ['update'], apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'] }]).covered).toBe(true);
    // A name-limited owner rule does not cover every name.
    expect(covers(owner, [{ verbs: ['update'], apiGroups: ['apps'], resources: ['deployments'] }]).covered).toBe(false);
    expect(covers([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], [{ verbs: ['delete'], apiGroups: ['x'], resources: ['y/z'] }]).covered).toBe(true);
    expect(covers([{ verbs: ['get'], nonResourceURLs: ['/healthz*'] }], [{ verbs: ['get'], nonResourceURLs: ['/healthz/etcd'] }]).covered).toBe(true);
    expect(covers([{ verbs: ['get'], nonResourceURLs: ['/healthz'] }], [{ verbs: ['get'], nonResourceURLs: ['/healthz/etcd'] }]).covered).toBe(false);
  });

  it('says what is missing as kube does: compacted, sorted, one per line', () => {
    const msg = escalationError(alice, [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }], [
      { verbs: ['get', 'list'], apiGroups: [''], resources: ['secrets'] }, { verbs: ['get', 'delete'], apiGroups: [''], resources: ['pods'] },
    ]);
    expect(msg).toBe('user "alice" (groups=["devs" "system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n'
      + '{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}\n{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}');
    expect(escalationError(alice, [{ verbs: ['*'], apiGroups: [''], resources: ['*'] }], [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }])).toBeUndefined();
    expect(compactString({ verbs: ['get'], nonResourceURLs: ['/x'] })).toBe('{NonResourceURLs:["/x"], Verbs:["get"]}');
  });
});

describe('ClusterRole aggregation', () => {
  it('unions the rules of the selected roles by name, without repeats or itself', () => {
    const agg = { metadata: { name: 'view', labels: { 'agg': 'true' } }, aggregationRule: { clusterRoleSelectors: [{ matchLabels: { agg: 'true' } }] }, rules: [] };
    const b = { metadata: { name: 'b', labels: { agg: 'true' } }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] };
    const a = { metadata: { name: 'a', labels: { agg: 'true' } }, rules: [{ verbs: ['list'], apiGroups: [''], resources: ['pods'] }, { verbs: ['get'], apiGroups: [''], resources: ['pods'] }] };
    const other = { metadata: { name: 'c' }, rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] };
    expect(aggregatedRules(agg, [agg, b, other, a])).toEqual([{ verbs: ['list'], apiGroups: [''], resources: ['pods'] }, { verbs: ['get'], apiGroups: [''], resources: ['pods'] }]);
  });
});

describe('updates the escalation check skips', () => {
  it('only owner references, finalizers or managed fields changed', () => {
    const old = { metadata: { name: 'r', uid: 'u', resourceVersion: '5' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] };
    expect(onlyGarbageCollectionFields({ ...old, metadata: { ...old.metadata, finalizers: ['x'], ownerReferences: [] } }, old)).toBe(true);
    expect(onlyGarbageCollectionFields({ rules: old.rules, metadata: { resourceVersion: '5', uid: 'u', name: 'r' } }, old)).toBe(true);
    expect(onlyGarbageCollectionFields({ ...old, metadata: { ...old.metadata, labels: { a: 'b' } } }, old)).toBe(false);
    expect(onlyGarbageCollectionFields({ ...old, rules: [{ verbs: ['*'], apiGroups: [''], resources: ['pods'] }] }, old)).toBe(false);
  });
});

describe('bootstrap policy reconciliation', () => {
  const discovery = () => structuredClone(bootstrapPolicy().clusterroles.find((r) => r.metadata.name === 'system:discovery')!);

  it('gives an autoupdate role back the rules it lost, and leaves others alone', () => {
    const wanted = discovery();
    expect(reconciled(discovery(), wanted)).toBeUndefined();
    const stripped = { ...discovery(), rules: [{ verbs: ['get'], nonResourceURLs: ['/version'] }] };
    expect(reconciled(stripped, wanted)!.rules).toEqual([{ verbs: ['get'], nonResourceURLs: ['/version'] }, ...(wanted.rules as unknown[])]);
    const pinned = { ...stripped, metadata: { ...stripped.metadata, annotations: { 'rbac.authorization.kubernetes.io/autoupdate': 'false' } } };
    expect(reconciled(pinned, wanted)).toBeUndefined();
  });

  it('adds lost subjects to an autoupdate binding', () => {
    const wanted = structuredClone(bootstrapPolicy().clusterrolebindings.find((b) => b.metadata.name === 'system:discovery')!);
    expect(reconciled({ ...structuredClone(wanted), subjects: [] }, wanted)!.subjects).toEqual(wanted.subjects);
  });
});
