import { describe, expect, it } from 'vitest';
import type { Attributes } from '../../server/authorization/authorizer.js';
import { PolicyIndex } from '../../server/authorization/rbac/policy-index.js';
import { RBACAuthorizer } from '../../server/authorization/rbac/rbac.js';
import { nonResourceURLMatches, resourceMatches, ruleAllows } from '../../server/authorization/rbac/rules.js';

const alice = { name: 'alice', groups: ['devs', 'system:authenticated'] };
const sa = { name: 'system:serviceaccount:ns1:robot', groups: ['system:serviceaccounts', 'system:serviceaccounts:ns1', 'system:authenticated'] };

function attrs(over: Partial<Attributes>): Attributes {
  return { user: alice, verb: 'get', isResourceRequest: true, path: '', namespace: 'ns1', apiGroup: '', apiVersion: 'v1', resource: 'pods', subresource: '', name: '', ...over };
}

const meta = (name: string, namespace?: string) => ({ name, ...(namespace ? { namespace } : {}) });

describe('rule matching (rbac/v1 helpers)', () => {
  it('matches resources, subresources and */subresource', () => {
    expect(resourceMatches({ verbs: ['get'], resources: ['pods'] }, 'pods', '')).toBe(true);
    expect(resourceMatches({ verbs: ['get'], resources: ['pods'] }, 'pods', 'log')).toBe(false);
    expect(resourceMatches({ verbs: ['get'], resources: ['pods/log'] }, 'pods', 'log')).toBe(true);
    expect(resourceMatches({ verbs: ['get'], resources: ['*/scale'] }, 'deployments', 'scale')).toBe(true);
    expect(resourceMatches({ verbs: ['get'], resources: ['*/scale'] }, 'deployments', '')).toBe(false);
    expect(resourceMatches({ verbs: ['get'], resources: ['*'] }, 'pods', 'exec')).toBe(true);
  });

  it('matches verbs, groups and resourceNames', () => {
    const rule = { verbs: ['get', 'update'], apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'] };
    expect(ruleAllows(attrs({ apiGroup: 'apps', resource: 'deployments', name: 'web' }), rule)).toBe(true);
    expect(ruleAllows(attrs({ apiGroup: 'apps', resource: 'deployments', name: 'db' }), rule)).toBe(false);
    // A list has no name: a rule with resourceNames never allows it.
    expect(ruleAllows(attrs({ verb: 'list', apiGroup: 'apps', resource: 'deployments' }), { ...rule, verbs: ['list'] })).toBe(false);
    expect(ruleAllows(attrs({ verb: 'delete', apiGroup: 'apps', resource: 'deployments', name: 'web' }), rule)).toBe(false);
    expect(ruleAllows(attrs({ apiGroup: '', resource: 'deployments', name: 'web' }), rule)).toBe(false);
    expect(ruleAllows(attrs({ verb: 'delete', apiGroup: 'x', resource: 'y' }), { verbs: ['*'], apiGroups: ['*'], resources: ['*'] })).toBe(true);
  });

  it('matches non-resource URLs exactly or by a trailing *', () => {
    expect(nonResourceURLMatches({ verbs: ['get'], nonResourceURLs: ['/healthz'] }, '/healthz')).toBe(true);
    expect(nonResourceURLMatches({ verbs: ['get'], nonResourceURLs: ['/healthz'] }, '/healthz/etcd')).toBe(false);
    expect(nonResourceURLMatches({ verbs: ['get'], nonResourceURLs: ['/healthz*'] }, '/healthz/etcd')).toBe(true);
    expect(nonResourceURLMatches({ verbs: ['get'], nonResourceURLs: ['/api/*'] }, '/api')).toBe(false);
    expect(nonResourceURLMatches({ verbs: ['get'], nonResourceURLs: ['*'] }, '/anything')).toBe(true);
    const nonResource = attrs({ isResourceRequest: false, path: '/version', verb: 'get' });
    expect(ruleAllows(nonResource, { verbs: ['get'], nonResourceURLs: ['/version'] })).toBe(true);
    expect(ruleAllows({ ...nonResource, verb: 'post' }, { verbs: ['get'], nonResourceURLs: ['/version'] })).toBe(false);
  });
});

describe('RBAC authorizer over the policy index', () => {
  function policy(): PolicyIndex {
    const idx = new PolicyIndex();
    idx.set('ClusterRole', '/pod-reader', { metadata: meta('pod-reader'), rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }] });
    idx.set('Role', 'ns1/cm-writer', { metadata: meta('cm-writer', 'ns1'), rules: [{ verbs: ['create'], apiGroups: [''], resources: ['configmaps'] }] });
    idx.set('RoleBinding', 'ns1/read', { metadata: meta('read', 'ns1'), roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'pod-reader' }, subjects: [{ kind: 'Group', name: 'devs' }] });
    idx.set('RoleBinding', 'ns1/write', { metadata: meta('write', 'ns1'), roleRef: { kind: 'Role', name: 'cm-writer' }, subjects: [{ kind: 'ServiceAccount', name: 'robot' }] });
    return idx;
  }

  it('applies a RoleBinding to a ClusterRole in its namespace only', () => {
    const rbac = new RBACAuthorizer(policy());
    const d = rbac.authorize(attrs({ verb: 'list' }));
    expect(d).toEqual({ decision: 'allow', reason: 'RBAC: allowed by RoleBinding "read/ns1" of ClusterRole "pod-reader" to Group "devs"' });
    expect(rbac.authorize(attrs({ verb: 'list', namespace: 'ns2' })).decision).toBe('no-opinion');
    expect(rbac.authorize(attrs({ verb: 'list', namespace: '' })).decision).toBe('no-opinion');
    expect(rbac.authorize(attrs({ verb: 'delete', name: 'p' })).decision).toBe('no-opinion');
  });

  it('matches a ServiceAccount subject without a namespace to the binding namespace', () => {
    const rbac = new RBACAuthorizer(policy());
    expect(rbac.authorize(attrs({ user: sa, verb: 'create', resource: 'configmaps' })).reason)
      .toBe('RBAC: allowed by RoleBinding "write/ns1" of Role "cm-writer" to ServiceAccount "robot/ns1"');
    expect(rbac.authorize(attrs({ user: alice, verb: 'create', resource: 'configmaps' })).decision).toBe('no-opinion');
    expect(rbac.authorize(attrs({ user: { ...sa, name: 'system:serviceaccount:ns2:robot' }, verb: 'create', resource: 'configmaps' })).decision).toBe('no-opinion');
  });

  it('follows changes: a removed binding or role no longer grants, a missing role is the reason', () => {
    const idx = policy();
    const rbac = new RBACAuthorizer(idx);
    idx.set('ClusterRole', '/pod-reader', undefined);
    expect(rbac.authorize(attrs({ verb: 'list' }))).toEqual({ decision: 'no-opinion', reason: 'RBAC: clusterrole.rbac.authorization.k8s.io "pod-reader" not found' });
    idx.set('RoleBinding', 'ns1/read', undefined);
    expect(rbac.authorize(attrs({ verb: 'list' }))).toEqual({ decision: 'no-opinion', reason: '' });
  });

  it('has no opinion before the policy is read, and lists rules for a namespace', () => {
    expect(new RBACAuthorizer(policy(), () => false).authorize(attrs({ verb: 'list' })).decision).toBe('no-opinion');
    const r = new RBACAuthorizer(policy()).rulesFor(alice, 'ns1');
    expect(r.resourceRules).toEqual([{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }]);
    expect(r.incomplete).toBe(false);
  });
});
