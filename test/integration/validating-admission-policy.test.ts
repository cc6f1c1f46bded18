// ValidatingAdmissionPolicy on a real server: the kinds with kube's defaults, validation, table and
// status subresource; a policy that denies with its CEL message as kube words it, Warn as a Warning
// header, params from a ConfigMap (and parameterNotFoundAction Deny), a binding's namespaceSelector.
// Policies and bindings are followed through the watch cache, so each test waits for its policy to
// take effect before it asserts; each works in namespaces of its own.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { kubectl } from '../support/kubectl.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

let cluster: TestCluster;
let seq = 0;
const group = '/apis/admissionregistration.k8s.io/v1';

beforeAll(async () => {
  cluster = await startCluster(1);
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
});

async function api(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<{ status: number; json: Obj; warning: string }> {
  const res = await fetch(`${cluster.url}${path}`, {
    method, headers: body === undefined ? {} : { 'content-type': contentType }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) as Obj : {}, warning: res.headers.get('warning') ?? '' };
}

async function created(path: string, body: Obj): Promise<Obj> {
  const r = await api('POST', path, body);
  expect(r.status, JSON.stringify(r.json)).toBe(201);
  return r.json;
}

const fresh = (prefix: string) => `${prefix}-${++seq}`;
const namespace = (name: string, labels: Record<string, string> = {}) =>
  created('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { test: name, ...labels } } });
const configMap = (ns: string, name: string, data: Record<string, string>) =>
  api('POST', `/api/v1/namespaces/${ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });

/** A policy on CREATE of configmaps in namespaces labelled test=<ns>. */
function policy(name: string, ns: string, spec: Obj): Obj {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name },
    spec: {
      matchConstraints: {
        resourceRules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
        namespaceSelector: { matchLabels: { test: ns } },
      },
      ...spec,
    },
  };
}

const binding = (name: string, policyName: string, spec: Obj = {}) => ({
  apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding', metadata: { name },
  spec: { policyName, validationActions: ['Deny'], ...spec },
});

it('serves both kinds with kube\'s defaults, validation, table and status subresource', async () => {
  const p = await created(`${group}/validatingadmissionpolicies`, policy('defaults', 'nowhere', { validations: [{ expression: 'true' }] }));
  expect(p.spec.failurePolicy).toBe('Fail');
  expect(p.spec.matchConstraints).toMatchObject({ matchPolicy: 'Equivalent', objectSelector: {} });
  expect(p.spec.matchConstraints.resourceRules[0].scope).toBe('*');
  expect(p.status).toEqual({});
  const b = await created(`${group}/validatingadmissionpolicybindings`, binding('defaults', 'defaults', { matchResources: {} }));
  expect(b.spec.matchResources).toEqual({ matchPolicy: 'Equivalent', namespaceSelector: {}, objectSelector: {} });

  const bad = await api('POST', `${group}/validatingadmissionpolicies`, {
    apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'bad' },
    spec: { failurePolicy: 'Sometimes', validations: [{ expression: 'object.x >', reason: 'Teapot' }] },
  });
  expect(bad.status).toBe(422);
  const causes = (bad.json.details.causes as Obj[]).map((c) => `${c.field}: ${c.message}`);
  expect(causes).toEqual(expect.arrayContaining([
    'spec.failurePolicy: Unsupported value: "Sometimes": supported values: "Fail", "Ignore"',
    'spec.matchConstraints: Required value',
    'spec.validations[0].reason: Unsupported value: "Teapot": supported values: "Forbidden", "Invalid", "RequestEntityTooLarge"',
  ]));
  expect(causes.some((c) => c.startsWith('spec.validations[0].expression: Invalid value: "object.x >": compilation failed: '))).toBe(true);
  const badBinding = await api('POST', `${group}/validatingadmissionpolicybindings`, binding('bad', '', { validationActions: ['Deny', 'Warn'] }));
  expect(badBinding.status).toBe(422);
  expect((badBinding.json.details.causes as Obj[]).map((c) => `${c.field}: ${c.message}`)).toEqual([
    'spec.policyName: Required value',
    'spec.validationActions: Invalid value: ["Deny","Warn"]: must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)',
  ]);

  // A main-resource update keeps the stored status; /status changes it.
  const status = await api('PATCH', `${group}/validatingadmissionpolicies/defaults/status`,
    { status: { conditions: [{ type: 'Checked', status: 'True', reason: 'Test', message: 'm', lastTransitionTime: '2024-01-01T00:00:00Z' }] } }, 'application/merge-patch+json');
  expect(status.status, JSON.stringify(status.json)).toBe(200);
  const spec = await api('PATCH', `${group}/validatingadmissionpolicies/defaults`, { spec: { failurePolicy: 'Ignore' }, status: { conditions: [] } }, 'application/merge-patch+json');
  expect(spec.json.spec.failurePolicy).toBe('Ignore');
  expect(spec.json.status.conditions[0].type).toBe('Checked');
  expect(spec.json.metadata.generation).toBe(2);

  expect(kubectl(cluster.kubeconfig, ['get', 'validatingadmissionpolicies', 'defaults']).stdout).toMatch(/^NAME\s+VALIDATIONS\s+PARAMKIND\s+AGE\ndefaults\s+1\s+<unset>\s+\d+s\n$/);
  expect(kubectl(cluster.kubeconfig, ['get', 'validatingadmissionpolicybindings', 'defaults']).stdout).toMatch(/^NAME\s+POLICYNAME\s+PARAMREF\s+AGE\ndefaults\s+defaults\s+<unset>\s+\d+s\n$/);
});

it('a policy denies with its CEL message as kube words it; variables, namespaceObject and authorizer are bound', async () => {
  const ns = fresh('vap-deny');
  await namespace(ns);
  await created(`${group}/validatingadmissionpolicies`, policy(ns, ns, {
    variables: [{ name: 'size', expression: 'size(object.data)' }],
    validations: [
      { expression: 'variables.size <= 1', messageExpression: "'at most one key, got ' + string(variables.size)" },
      { expression: `namespaceObject.metadata.name == '${ns}'`, message: 'wrong namespace' },
      // The server's authorizer is wired: the test's admin may create what it creates.
      { expression: "authorizer.requestResource.check('create').allowed()", message: 'not authorized' },
    ],
  }));
  await created(`${group}/validatingadmissionpolicybindings`, binding(ns, ns));
  await eventually(async () => (await configMap(ns, fresh('marker'), { a: '1', b: '2' })).status === 422, { what: 'the policy to take effect' });
  const denied = await configMap(ns, 'two', { a: '1', b: '2' });
  expect(denied.status).toBe(422);
  expect(denied.json).toMatchObject({
    reason: 'Invalid',
    message: `configmaps "two" is forbidden: ValidatingAdmissionPolicy '${ns}' with binding '${ns}' denied request: at most one key, got 2`,
    details: { name: 'two', kind: 'configmaps', causes: [{ message: `ValidatingAdmissionPolicy '${ns}' with binding '${ns}' denied request: at most one key, got 2` }] },
  });
  expect((await configMap(ns, 'one', { a: '1' })).status).toBe(201);
});

it('Warn admits with a Warning header', async () => {
  const ns = fresh('vap-warn');
  await namespace(ns);
  await created(`${group}/validatingadmissionpolicies`, policy(ns, ns, { validations: [{ expression: "!has(object.data.bad)", message: 'bad is discouraged', reason: 'Forbidden' }] }));
  await created(`${group}/validatingadmissionpolicybindings`, binding(ns, ns, { validationActions: ['Warn', 'Audit'] }));
  let warned: Awaited<ReturnType<typeof configMap>> | undefined;
  await eventually(async () => {
    warned = await configMap(ns, fresh('warned'), { bad: 'yes' });
    return warned.warning !== '';
  }, { what: 'the policy to warn' });
  expect(warned!.status).toBe(201);
  expect(warned!.warning).toBe(`299 - "Validation failed for ValidatingAdmissionPolicy '${ns}' with binding '${ns}': bad is discouraged"`);
});

it('params come from a ConfigMap named by the binding; a missing one denies under parameterNotFoundAction Deny', async () => {
  const ns = fresh('vap-params');
  await namespace(ns);
  expect((await configMap(ns, 'limits', { maxKeys: '1' })).status).toBe(201);
  await created(`${group}/validatingadmissionpolicies`, policy(ns, ns, {
    paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
    matchConditions: [{ name: 'not-the-params', expression: "object.metadata.name != 'limits'" }],
    validations: [{ expression: 'size(object.data) <= int(params.data.maxKeys)', messageExpression: "'at most ' + params.data.maxKeys + ' keys'" }],
  }));
  await created(`${group}/validatingadmissionpolicybindings`, binding(ns, ns, { paramRef: { name: 'limits', parameterNotFoundAction: 'Deny' } }));
  await eventually(async () => (await configMap(ns, fresh('marker'), { a: '1', b: '2' })).status === 422, { what: 'the policy to take effect' });
  const denied = await configMap(ns, 'two', { a: '1', b: '2' });
  expect(denied.json.message).toBe(`configmaps "two" is forbidden: ValidatingAdmissionPolicy '${ns}' with binding '${ns}' denied request: at most 1 keys`);
  expect((await configMap(ns, 'one', { a: '1' })).status).toBe(201);

  expect((await api('DELETE', `/api/v1/namespaces/${ns}/configmaps/limits`)).status).toBe(200);
  await eventually(async () => (await configMap(ns, fresh('marker'), { a: '1' })).status === 422, { what: 'the missing params to deny' });
  const missing = await configMap(ns, 'no-params', { a: '1' });
  expect(missing.json.message).toBe(`configmaps "no-params" is forbidden: ValidatingAdmissionPolicy '${ns}' with binding '${ns}' denied request: failed to configure binding: no params found for policy binding with \`Deny\` parameterNotFoundAction`);
});

it('a binding\'s namespaceSelector limits where its policy applies', async () => {
  const ns = fresh('vap-scope');
  const selected = `${ns}-on`;
  const other = `${ns}-off`;
  await namespace(selected, { group: ns, enforce: 'yes' });
  await namespace(other, { group: ns });
  const p = policy(ns, ns, { validations: [{ expression: 'false', message: 'no configmaps here' }] });
  p.spec.matchConstraints.namespaceSelector = { matchLabels: { group: ns } };
  await created(`${group}/validatingadmissionpolicies`, p);
  await created(`${group}/validatingadmissionpolicybindings`, binding(ns, ns, { matchResources: { namespaceSelector: { matchLabels: { enforce: 'yes' } } } }));
  await eventually(async () => (await configMap(selected, fresh('marker'), {})).status === 422, { what: 'the policy to take effect' });
  expect((await configMap(other, 'allowed', {})).status).toBe(201);
  expect((await configMap(selected, 'denied', {})).json.message).toBe(`configmaps "denied" is forbidden: ValidatingAdmissionPolicy '${ns}' with binding '${ns}' denied request: no configmaps here`);
});
