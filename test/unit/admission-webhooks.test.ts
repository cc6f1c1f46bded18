// The pieces of webhook admission no HTTPS server is needed for: rule matching (operations, `*`,
// `pods/*`, scope), matchConditions, the AdmissionReview answer checks, and a dry run refused by a
// webhook whose sideEffects are not None (only stored v1beta1-era objects can have them).
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../server/api/object.js';
import { verifyResponse } from '../../server/admission/admission-review.js';
import type { AdmissionAttributes } from '../../server/admission/chain.js';
import { WebhookDispatch } from '../../server/admission/webhook-dispatch.js';
import { evaluateMatchConditions, matchConditionErrors } from '../../server/admission/webhook-match-conditions.js';
import { isExempt, ruleMatches } from '../../server/admission/webhook-matching.js';
import { TypeRegistry } from '../../server/registry/registry.js';
import { registerBuiltins } from '../../server/resources/index.js';
import type { Storage } from '../../server/storage/interface.js';

const types = new TypeRegistry();
registerBuiltins(types);
const rt = (group: string, resource: string) => types.lookup(group, 'v1', resource)!;

function attrs(resource: string, over: Partial<AdmissionAttributes> = {}): AdmissionAttributes {
  const r = rt('', resource);
  return { operation: 'CREATE', resource: r, subresource: '', namespace: r.namespaced ? 'ns' : '', name: 'x', dryRun: false, ...over };
}

describe('rules', () => {
  const rule = (resources: string[], extra: Record<string, unknown> = {}) => ({ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources, ...extra });
  it('matches resources, subresources and wildcards as kube does', () => {
    const pod = attrs('pods');
    const status = attrs('pods', { subresource: 'status', operation: 'UPDATE' });
    expect(ruleMatches(rule(['pods']), pod, pod.resource)).toBe(true);
    expect(ruleMatches(rule(['*']), pod, pod.resource)).toBe(true);
    expect(ruleMatches(rule(['configmaps']), pod, pod.resource)).toBe(false);
    const update = { operations: ['UPDATE'] };
    expect(ruleMatches(rule(['pods'], update), status, status.resource)).toBe(false);
    expect(ruleMatches(rule(['*'], update), status, status.resource)).toBe(false);
    expect(ruleMatches(rule(['pods/*'], update), status, status.resource)).toBe(true);
    expect(ruleMatches(rule(['*/status'], update), status, status.resource)).toBe(true);
    expect(ruleMatches(rule(['pods/status']), status, status.resource)).toBe(false); // operation
    expect(ruleMatches(rule(['pods'], { apiGroups: ['apps'] }), pod, pod.resource)).toBe(false);
  });

  it('scope: a Namespace object is cluster-scoped', () => {
    const ns = attrs('namespaces', { name: 'team-a' });
    const pod = attrs('pods');
    expect(ruleMatches(rule(['*'], { scope: 'Cluster' }), ns, ns.resource)).toBe(true);
    expect(ruleMatches(rule(['*'], { scope: 'Namespaced' }), ns, ns.resource)).toBe(false);
    expect(ruleMatches(rule(['*'], { scope: 'Namespaced' }), pod, pod.resource)).toBe(true);
    expect(ruleMatches(rule(['*'], { scope: 'Cluster' }), pod, pod.resource)).toBe(false);
  });

  it('exempts the admission configuration kinds', () => {
    expect(isExempt(types.lookup('admissionregistration.k8s.io', 'v1', 'validatingwebhookconfigurations')!)).toBe(true);
    expect(isExempt(rt('', 'pods'))).toBe(false);
  });
});

describe('matchConditions', () => {
  const obj = { metadata: { name: 'x', labels: { tier: 'web' } }, spec: { replicas: 3 } };
  const vars = { object: obj, oldObject: null, request: { operation: 'CREATE' } };
  it('all true matches, one false skips, errors follow failurePolicy', () => {
    expect(evaluateMatchConditions([{ name: 'a', expression: "object.metadata.labels.tier == 'web'" }, { name: 'b', expression: 'object.spec.replicas > 2' }], vars, 'Fail')).toEqual({ matches: true });
    expect(evaluateMatchConditions([{ name: 'a', expression: "request.operation == 'UPDATE'" }], vars, 'Fail')).toEqual({ matches: false });
    const failing = [{ name: 'bad', expression: 'object.nope.deeper == 1' }];
    expect(evaluateMatchConditions(failing, vars, 'Ignore')).toEqual({ matches: false });
    expect(evaluateMatchConditions(failing, vars, 'Fail')).toMatchObject({ matches: false, error: expect.stringContaining('failed to evaluate condition "bad"') });
    // A false condition wins over an error.
    expect(evaluateMatchConditions([...failing, { name: 'f', expression: 'false' }], vars, 'Fail')).toEqual({ matches: false });
  });

  it('validation: names, duplicates, expressions that do not parse', () => {
    const errs = matchConditionErrors([{ name: 'a', expression: 'true' }, { name: 'a', expression: 'object.(' }, { expression: 'true' }], 'webhooks[0].matchConditions')
      .map((e) => `${e.field}: ${e.detailMessage()}`);
    expect(errs).toEqual(expect.arrayContaining([
      'webhooks[0].matchConditions[1].name: Duplicate value: "a"',
      'webhooks[0].matchConditions[2].name: Required value',
    ]));
    expect(errs.some((e) => e.startsWith('webhooks[0].matchConditions[1].expression: Invalid value: "object.(": compilation failed: ERROR: <input>:'))).toBe(true);
  });
});

describe('AdmissionReview answers', () => {
  const review = (response: Record<string, unknown>) => ({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response });
  it('refuses what kube refuses, with its reasons', () => {
    expect(() => verifyResponse('u1', 'v1', false, { response: { uid: 'u1', allowed: true } })).toThrow('expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got /, Kind=');
    expect(() => verifyResponse('u1', 'v1', false, review({ uid: 'u2', allowed: true }))).toThrow('expected response.uid="u1", got "u2"');
    expect(() => verifyResponse('u1', 'v1', false, review({ uid: 'u1', allowed: true, patchType: 'JSONPatch', patch: 'W10=' }))).toThrow('validating webhook may not return response.patch');
    expect(() => verifyResponse('u1', 'v1', true, review({ uid: 'u1', allowed: true, patch: 'W10=' }))).toThrow('webhook returned response.patch but not response.patchType');
    expect(verifyResponse('u1', 'v1', true, review({ uid: 'u1', allowed: true, patchType: 'JSONPatch', patch: 'W10=', warnings: ['w'] })))
      .toMatchObject({ allowed: true, patch: [], warnings: ['w'] });
  });
});

describe('sideEffects and dry runs', () => {
  it('a webhook with side effects refuses a dry run before it is called', async () => {
    const dispatch = new WebhookDispatch({} as Storage, types);
    const hook = { configuration: 'c', index: 0, uid: 'c/h/0', spec: { name: 'side.example.com', sideEffects: 'Unknown', admissionReviewVersions: ['v1'], clientConfig: { url: 'https://127.0.0.1:1/never' } } };
    const a = attrs('configmaps', { dryRun: true, object: { metadata: { name: 'x' } } as KubeObject });
    await expect(dispatch.call({ hook, resource: a.resource }, a, a.object, false)).rejects.toMatchObject({ code: 400, message: 'admission webhook "side.example.com" does not support dry run' });
  });
});
