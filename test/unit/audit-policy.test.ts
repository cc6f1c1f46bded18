// The audit policy: loading and kube's validation errors, first-match evaluation over users,
// groups, verbs, resources (subresources, wildcards, names), namespaces and non-resource URLs,
// and how omitStages / omitManagedFields combine; the launcher's default policy loads and says
// what it promises about secrets and noise.
import { describe, expect, it } from 'vitest';
import type { Attributes } from '../../server/authorization/authorizer.js';
import { defaultAuditPolicy } from '../../server/audit/default-policy.js';
import { evaluatePolicy, loadPolicy, PolicyError } from '../../server/audit/policy.js';

const user = { name: 'alice', groups: ['dev', 'system:authenticated'] };
const res = (verb: string, resource: string, more: Partial<Attributes> = {}): Attributes => ({
  user, verb, isResourceRequest: true, path: '', namespace: 'default', apiGroup: '', apiVersion: 'v1', resource, subresource: '', name: '', ...more,
});
const nonRes = (path: string, verb = 'get'): Attributes => ({
  user, verb, isResourceRequest: false, path, namespace: '', apiGroup: '', apiVersion: '', resource: '', subresource: '', name: '',
});
const policy = (rules: string, top = '') => loadPolicy(`apiVersion: audit.k8s.io/v1\nkind: Policy\n${top}rules:\n${rules}`);

describe('audit policy loading', () => {
  it('takes YAML and JSON, and joins the top-level omitStages to each rule', () => {
    const p = policy('  - level: Metadata\n    omitStages: [ResponseStarted]\n', 'omitStages: [RequestReceived]\n');
    expect(p.rules[0].omitStages).toEqual(['RequestReceived', 'ResponseStarted']);
    const j = loadPolicy(JSON.stringify({ apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: [{ level: 'None' }] }));
    expect(j.rules).toHaveLength(1);
  });

  it('refuses what kube refuses, saying where', () => {
    const bad = (rules: string, msg: RegExp) => expect(() => policy(rules)).toThrow(msg);
    bad('  - level: Loud\n', /rules\[0\]\.level: Unsupported value: "Loud"/);
    bad('  - verbs: [get]\n', /rules\[0\]\.level: Required value/);
    bad('  - level: None\n    nonResourceURLs: [healthz]\n', /must begin with a '\/' character/);
    bad('  - level: None\n    nonResourceURLs: ["/a*b"]\n', /must be the final character/);
    bad('  - level: None\n    nonResourceURLs: ["/x"]\n    namespaces: [a]\n', /both regular resources and non-resource URLs/);
    bad('  - level: None\n    omitStages: [Later]\n', /omitStages\[0\]: Unsupported value: "Later"/);
    bad('  - level: None\n    resources: [{group: "", resources: ["*"], resourceNames: [x]}]\n', /resource names with wildcard resources/);
    expect(() => loadPolicy('apiVersion: audit.k8s.io/v1beta1\nkind: Policy\nrules: [{level: None}]')).toThrow(PolicyError);
    expect(() => loadPolicy('apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: []')).toThrow(/0 rules/);
    expect(() => loadPolicy('rules: [')).toThrow(/failed decoding/);
  });
});

describe('audit policy evaluation (first match wins, none means None)', () => {
  const p = policy([
    '  - level: None',
    '    users: [bob]',
    '  - level: None',
    '    nonResourceURLs: ["/healthz*", "/version"]',
    '  - level: Metadata',
    '    resources: [{group: "", resources: ["secrets"]}]',
    '  - level: Request',
    '    userGroups: [ops]',
    '  - level: RequestResponse',
    '    verbs: [create]',
    '    resources: [{group: "", resources: ["pods/exec", "*/status"]}]',
    '  - level: Request',
    '    resources: [{group: apps, resources: ["deployments/*"]}]',
    '  - level: Metadata',
    '    resources: [{group: "", resources: [configmaps], resourceNames: [special]}]',
    '    omitManagedFields: false',
    '  - level: Request',
    '    namespaces: ["kube-system", ""]',
    '  - level: Metadata',
    '    verbs: [get, list]',
  ].join('\n') + '\n', 'omitManagedFields: true\n');
  const level = (a: Attributes) => evaluatePolicy(p, a).level;

  it('matches users, groups, verbs and non-resource paths (with a trailing *)', () => {
    expect(level(res('get', 'secrets', { user: { name: 'bob', groups: [] } }))).toBe('None');
    expect(level(nonRes('/healthz/etcd'))).toBe('None');
    expect(level(nonRes('/version'))).toBe('None');
    expect(level(nonRes('/versions'))).toBe('Metadata'); // not /version: falls through to the verbs rule
    expect(level(res('delete', 'pods', { user: { name: 'carol', groups: ['ops'] } }))).toBe('Request');
  });

  it('matches resources with subresources, */sub and res/* forms, names, and namespaces (cluster scope is "")', () => {
    expect(level(res('create', 'secrets'))).toBe('Metadata');
    expect(level(res('create', 'pods', { subresource: 'exec' }))).toBe('RequestResponse');
    expect(level(res('create', 'pods', { subresource: 'status' }))).toBe('RequestResponse');
    expect(level(res('create', 'pods'))).toBe('None');
    expect(level(res('update', 'deployments', { apiGroup: 'apps', subresource: 'scale' }))).toBe('Request');
    expect(level(res('update', 'deployments', { apiGroup: 'apps' }))).toBe('Request'); // kube: res/* matches the resource itself too
    expect(level(res('update', 'replicasets', { apiGroup: 'apps' }))).toBe('None');
    expect(level(res('update', 'configmaps', { name: 'special' }))).toBe('Metadata');
    expect(level(res('update', 'configmaps', { name: 'other' }))).toBe('None');
    expect(level(res('update', 'nodes', { namespace: '' }))).toBe('Request');
    expect(level(res('update', 'pods', { namespace: 'kube-system' }))).toBe('Request');
    expect(level(res('list', 'pods'))).toBe('Metadata');
    expect(level(res('watch', 'pods'))).toBe('None');
  });

  it('omitManagedFields: the rule\'s own, else the policy\'s', () => {
    expect(evaluatePolicy(p, res('update', 'configmaps', { name: 'special' })).omitManagedFields).toBe(false);
    expect(evaluatePolicy(p, res('create', 'secrets')).omitManagedFields).toBe(true);
  });
});

describe('the launcher\'s default audit policy', () => {
  const p = loadPolicy(defaultAuditPolicy);
  const at = (a: Attributes) => evaluatePolicy(p, a);
  it('keeps credentials at Metadata, drops noise, records writes in full and reads as metadata', () => {
    for (const verb of ['create', 'update', 'patch', 'get', 'list']) expect(at(res(verb, 'secrets')).level).toBe('Metadata');
    expect(at(res('create', 'configmaps')).level).toBe('Metadata');
    expect(at(res('create', 'serviceaccounts', { subresource: 'token', name: 'default' })).level).toBe('Metadata');
    expect(at(res('create', 'tokenreviews', { apiGroup: 'authentication.k8s.io', namespace: '' })).level).toBe('Metadata');
    for (const path of ['/healthz', '/readyz', '/livez', '/version', '/api', '/apis/apps/v1', '/openapi/v3']) expect(at(nonRes(path)).level).toBe('None');
    expect(at(res('create', 'events')).level).toBe('None');
    expect(at(res('update', 'leases', { apiGroup: 'coordination.k8s.io' })).level).toBe('None');
    expect(at(res('create', 'pods')).level).toBe('RequestResponse');
    expect(at(res('list', 'pods')).level).toBe('Metadata');
    expect(at(res('create', 'pods')).omitStages).toEqual(['RequestReceived']);
  });
});
