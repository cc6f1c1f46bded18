// The ValidatingAdmissionPolicy plugin over the in-memory store: matching (resourceRules with
// resourceNames, excludeResourceRules, objectSelector, matchPolicy Equivalent, a binding's
// matchResources), kube's messages (message, messageExpression and its fallbacks, reason and code),
// Warn and Audit, failurePolicy on errors, variables, matchConditions, params, auditAnnotations and
// the cost bound.
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../server/api/errors.js';
import type { KubeObject } from '../../server/api/object.js';
import type { AdmissionAttributes } from '../../server/admission/chain.js';
import type { Authorizer } from '../../server/authorization/authorizer.js';
import { ValidatingAdmissionPolicyPlugin } from '../../server/admission/validating-admission-policy.js';
import { eventually } from '../support/eventually.js';
import { memoryStore, type MemoryStore } from '../support/memory-store.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

let plugin: ValidatingAdmissionPolicyPlugin | undefined;
afterEach(() => plugin?.stop());

const deploymentsRule = { operations: ['CREATE', 'UPDATE'], apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'] };

/** A store holding `policies` (name -> spec) each bound once (`bindings`: name -> binding spec), and the plugin following them. */
async function setup(policies: Record<string, Obj>, bindings: Record<string, Obj>, extra: (m: MemoryStore) => Promise<void> = async () => undefined) {
  const m = memoryStore();
  await m.create(m.rt('', 'namespaces'), { metadata: { name: 'ns', labels: { team: 'a' } } });
  await extra(m);
  for (const [name, spec] of Object.entries(policies)) {
    await m.create(m.rt('admissionregistration.k8s.io', 'validatingadmissionpolicies'), { metadata: { name }, spec: { matchConstraints: { resourceRules: [deploymentsRule] }, ...spec } });
  }
  for (const [name, spec] of Object.entries(bindings)) {
    await m.create(m.rt('admissionregistration.k8s.io', 'validatingadmissionpolicybindings'), { metadata: { name }, spec: { validationActions: ['Deny'], ...spec } });
  }
  plugin = new ValidatingAdmissionPolicyPlugin(m.storage, m.types);
  await plugin.start(m.store);
  await eventually(() => plugin!.policies.current().reduce((n, h) => n + h.bindings.length, 0) === Object.keys(bindings).length, { what: 'the bindings' });
  return { m, plugin };
}

function deployment(replicas: number, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'ns', labels }, spec: { replicas } } as KubeObject;
}

function attrs(m: MemoryStore, object: KubeObject, over: Partial<AdmissionAttributes> = {}): AdmissionAttributes & { warnings: string[]; annotations: Record<string, string> } {
  const annotations: Record<string, string> = {};
  return {
    operation: 'CREATE', resource: m.rt('apps', 'deployments'), subresource: '', namespace: 'ns', name: 'd', object, dryRun: false,
    warnings: [], annotations, annotate: (k, v) => { annotations[k] = v; }, ...over,
  };
}

async function refusal(p: Promise<void>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('admitted; expected a refusal');
}

describe('messages', () => {
  it('denies with messageExpression, then message, then the expression, as kube words them', async () => {
    const { m } = await setup({
      p: { validations: [
        { expression: 'object.spec.replicas > 1', messageExpression: "'wants replicas > 1, got ' + object.spec.replicas", message: 'static message' },
      ] },
      q: { validations: [{ expression: 'object.spec.replicas > 2', messageExpression: "'at least 3, got ' + string(object.spec.replicas)", reason: 'Forbidden' }] },
      r: { validations: [{ expression: ' object.spec.replicas > 3 ' }] },
    }, { b: { policyName: 'p' }, c: { policyName: 'q' }, d: { policyName: 'r' } });
    // string + int fails to evaluate: the static message stands in.
    const e = await refusal(plugin!.validate(attrs(m, deployment(1))));
    expect(e.code).toBe(422);
    expect(e.reason).toBe('Invalid');
    expect(e.message).toBe('deployments.apps "d" is forbidden: ValidatingAdmissionPolicy \'p\' with binding \'b\' denied request: static message');
    expect(e.details).toEqual({ group: 'apps', kind: 'deployments', name: 'd', causes: [{ message: 'ValidatingAdmissionPolicy \'p\' with binding \'b\' denied request: static message' }] });
    const f = await refusal(plugin!.validate(attrs(m, deployment(2))));
    expect([f.code, f.reason, f.message]).toEqual([403, 'Forbidden', 'deployments.apps "d" is forbidden: ValidatingAdmissionPolicy \'q\' with binding \'c\' denied request: at least 3, got 2']);
    const g = await refusal(plugin!.validate(attrs(m, deployment(3))));
    expect(g.message).toBe('deployments.apps "d" is forbidden: ValidatingAdmissionPolicy \'r\' with binding \'d\' denied request: failed expression: object.spec.replicas > 3');
    await plugin!.validate(attrs(m, deployment(4)));
  });

  it('Warn adds a warning and Audit the validation_failure annotation, and neither refuses', async () => {
    const { m } = await setup({ p: { validations: [{ expression: 'true' }, { expression: 'object.spec.replicas > 1', message: 'too few' }] } },
      { b: { policyName: 'p', validationActions: ['Warn', 'Audit'] } });
    const a = attrs(m, deployment(1));
    await plugin!.validate(a);
    expect(a.warnings).toEqual(["Validation failed for ValidatingAdmissionPolicy 'p' with binding 'b': too few"]);
    expect(JSON.parse(a.annotations['validation.policy.admission.k8s.io/validation_failure'])).toEqual([
      { message: 'too few', policy: 'p', binding: 'b', expressionIndex: 1, validationActions: ['Warn', 'Audit'] },
    ]);
    expect(Object.keys(a.annotations['validation.policy.admission.k8s.io/validation_failure'] && JSON.parse(a.annotations['validation.policy.admission.k8s.io/validation_failure'])[0])).toEqual(['message', 'policy', 'binding', 'expressionIndex', 'validationActions']);
  });

  it('an expression that errors denies under failurePolicy Fail and is skipped under Ignore', async () => {
    const { m } = await setup({
      fail: { validations: [{ expression: 'object.spec.missing > 1' }] },
    }, { b: { policyName: 'fail' } });
    const e = await refusal(plugin!.validate(attrs(m, deployment(1))));
    expect(e.message).toMatch(/^deployments\.apps "d" is forbidden: ValidatingAdmissionPolicy 'fail' with binding 'b' denied request: expression 'object\.spec\.missing > 1' resulted in error: /);
    plugin!.stop();
    const ignore = await setup({ ignore: { failurePolicy: 'Ignore', validations: [{ expression: 'object.spec.missing > 1' }] } }, { b: { policyName: 'ignore' } });
    await ignore.plugin.validate(attrs(ignore.m, deployment(1)));
  });
});

describe('matching', () => {
  it('resourceNames, excludeResourceRules, objectSelector and a binding\'s namespaceSelector', async () => {
    const deny = [{ expression: 'false', message: 'no' }];
    const { m } = await setup({
      named: { matchConstraints: { resourceRules: [{ ...deploymentsRule, resourceNames: ['other'] }] }, validations: deny },
      excluded: { matchConstraints: { resourceRules: [deploymentsRule], excludeResourceRules: [{ ...deploymentsRule, resourceNames: ['d'] }] }, validations: deny },
      labelled: { matchConstraints: { resourceRules: [deploymentsRule], objectSelector: { matchLabels: { check: 'yes' } } }, validations: deny },
      teams: { validations: [{ expression: 'false', message: 'team b only' }] },
    }, {
      named: { policyName: 'named' }, excluded: { policyName: 'excluded' }, labelled: { policyName: 'labelled' },
      teams: { policyName: 'teams', matchResources: { namespaceSelector: { matchLabels: { team: 'b' } } } },
    });
    await plugin!.validate(attrs(m, deployment(1)));
    const e = await refusal(plugin!.validate(attrs(m, deployment(1, { check: 'yes' }))));
    expect(e.message).toBe('deployments.apps "d" is forbidden: ValidatingAdmissionPolicy \'labelled\' with binding \'labelled\' denied request: no');
    const named = await refusal(plugin!.validate(attrs(m, { ...deployment(1), metadata: { name: 'other', namespace: 'ns' } } as KubeObject, { name: 'other' })));
    expect(named.message).toContain("ValidatingAdmissionPolicy 'excluded'");
    expect(named.message).not.toContain("'named'"); // the first denial is reported: policies in name order, excluded before named
  });

  it('matchPolicy Equivalent matches another version of the same resource; Exact does not', async () => {
    const rule = { operations: ['CREATE'], apiGroups: ['autoscaling'], apiVersions: ['v1'], resources: ['horizontalpodautoscalers'] };
    const { m } = await setup({
      equivalent: { matchConstraints: { resourceRules: [rule] }, validations: [{ expression: "!(request.kind.version == 'v1' && object.apiVersion == 'autoscaling/v1')", message: 'seen as v1' }] },
      // Named to come first: a match would be the reported denial.
      'aaa-exact': { matchConstraints: { resourceRules: [rule], matchPolicy: 'Exact' }, validations: [{ expression: 'false', message: 'exact' }] },
    }, { a: { policyName: 'equivalent' }, b: { policyName: 'aaa-exact' } });
    const hpa = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'd', namespace: 'ns' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'x' }, minReplicas: 1, maxReplicas: 2 } } as KubeObject;
    const v2 = m.types.lookup('autoscaling', 'v2', 'horizontalpodautoscalers')!;
    const e = await refusal(plugin!.validate(attrs(m, hpa, { resource: v2 })));
    expect(e.message).toBe('horizontalpodautoscalers.autoscaling "d" is forbidden: ValidatingAdmissionPolicy \'equivalent\' with binding \'a\' denied request: seen as v1');
  });

  it('never applies to the admission configuration kinds', async () => {
    const { m } = await setup({ all: { matchConstraints: { resourceRules: [{ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'] }] }, validations: [{ expression: 'false' }] } },
      { all: { policyName: 'all' } });
    const vap = m.rt('admissionregistration.k8s.io', 'validatingadmissionpolicies');
    await plugin!.validate(attrs(m, { metadata: { name: 'x' } } as KubeObject, { resource: vap, namespace: '', name: 'x' }));
    await expect(plugin!.validate(attrs(m, deployment(5)))).rejects.toThrow(/failed expression: false/);
  });
});

describe('CEL', () => {
  it('variables are computed once each and may use each other; matchConditions skip; namespaceObject is bound', async () => {
    const { m } = await setup({ p: {
      matchConditions: [{ name: 'not-skipped', expression: "!has(object.metadata.labels) || !('skip' in object.metadata.labels)" }],
      variables: [{ name: 'replicas', expression: 'object.spec.replicas' }, { name: 'odd', expression: 'variables.replicas % 2 == 1' }],
      validations: [
        { expression: 'variables.odd', messageExpression: "'odd only, got ' + string(variables.replicas)" },
        { expression: "namespaceObject.metadata.labels.team == 'a'", message: 'team a' },
      ],
    } }, { b: { policyName: 'p' } });
    expect((await refusal(plugin!.validate(attrs(m, deployment(2))))).message).toContain('denied request: odd only, got 2');
    await plugin!.validate(attrs(m, deployment(3)));
    await plugin!.validate(attrs(m, deployment(2, { skip: '' })));
  });

  it('params from a ConfigMap by name or selector; parameterNotFoundAction Allow admits, Deny refuses', async () => {
    const cm = async (mm: MemoryStore, name: string, max: string, labels: Record<string, string> = {}) =>
      mm.create(mm.rt('', 'configmaps'), { metadata: { name, labels }, data: { max } }, 'ns');
    const spec = { paramKind: { apiVersion: 'v1', kind: 'ConfigMap' }, validations: [{ expression: 'object.spec.replicas <= int(params.data.max)', messageExpression: "'at most ' + params.data.max" }] };
    const { m } = await setup({ p: spec }, {
      byname: { policyName: 'p', paramRef: { name: 'limit', parameterNotFoundAction: 'Deny' } },
      byselector: { policyName: 'p', paramRef: { selector: { matchLabels: { kind: 'limit' } }, parameterNotFoundAction: 'Allow' } },
    }, async (mm) => {
      await cm(mm, 'limit', '5');
      await cm(mm, 'strict', '2', { kind: 'limit' });
    });
    expect((await refusal(plugin!.validate(attrs(m, deployment(3))))).message).toBe('deployments.apps "d" is forbidden: ValidatingAdmissionPolicy \'p\' with binding \'byselector\' denied request: at most 2');
    expect((await refusal(plugin!.validate(attrs(m, deployment(6))))).message).toContain("with binding 'byname' denied request: at most 5");
    await plugin!.validate(attrs(m, deployment(2)));
    const cluster = await refusal(plugin!.validate(attrs(m, deployment(2), { namespace: '' })));
    expect(cluster.message).toContain('failed to configure binding: cannot use namespaced paramRef in policy binding that matches cluster-scoped resources');
  });

  it('a paramKind no served type has is the policy\'s configuration error, under failurePolicy', async () => {
    const { m } = await setup({ p: { paramKind: { apiVersion: 'example.com/v1', kind: 'Limits' }, validations: [{ expression: 'true' }] } },
      { b: { policyName: 'p', paramRef: { name: 'x', parameterNotFoundAction: 'Allow' } } });
    expect((await refusal(plugin!.validate(attrs(m, deployment(1))))).message)
      .toBe("deployments.apps \"d\" is forbidden: ValidatingAdmissionPolicy 'p' denied request: failed to configure policy: failed to find resource referenced by paramKind: 'example.com/v1, Kind=Limits'");
  });

  it('authorizer asks the authorizer for the request\'s user, a service account and the request\'s own resource', async () => {
    const asked: string[] = [];
    const authorizer: Authorizer = {
      authorize(a) {
        asked.push(`${a.user.name} ${a.verb} ${a.apiGroup}/${a.resource}/${a.subresource} ${a.namespace}/${a.name}${a.isResourceRequest ? '' : ` path ${a.path}`}`);
        return a.user.name === 'admin' || a.verb === 'use' ? { decision: 'allow', reason: 'ok' } : { decision: 'no-opinion', reason: 'not you' };
      },
    };
    const m = memoryStore();
    await m.create(m.rt('', 'namespaces'), { metadata: { name: 'ns' } });
    await m.create(m.rt('admissionregistration.k8s.io', 'validatingadmissionpolicies'), { metadata: { name: 'p' }, spec: {
      matchConstraints: { resourceRules: [deploymentsRule] },
      validations: [
        { expression: "authorizer.group('apps').resource('deployments').subresource('scale').namespace('ns').name('d').check('update').allowed()", messageExpression: "'may not scale'" },
        { expression: "authorizer.requestResource.check('use').allowed() && authorizer.path('/healthz').check('get').reason() != ''", message: 'no use' },
        { expression: "!authorizer.serviceAccount('kube-system', 'robot').group('').resource('pods').check('delete').allowed()", message: 'robot may' },
      ],
    } });
    await m.create(m.rt('admissionregistration.k8s.io', 'validatingadmissionpolicybindings'), { metadata: { name: 'b' }, spec: { policyName: 'p', validationActions: ['Deny'] } });
    plugin = new ValidatingAdmissionPolicyPlugin(m.storage, m.types, authorizer);
    await plugin.start(m.store);
    await eventually(() => plugin!.policies.current().length === 1, { what: 'the policy' });
    await plugin.validate(attrs(m, deployment(1), { user: { name: 'admin', groups: [] } }));
    expect(asked).toEqual([
      'admin update apps/deployments/scale ns/d',
      'admin use apps/deployments/ ns/d',
      'admin get // / path /healthz',
      'system:serviceaccount:kube-system:robot delete /pods/ /',
    ]);
    const e = await refusal(plugin.validate(attrs(m, deployment(1), { user: { name: 'jane', groups: [] } })));
    expect(e.message).toBe("deployments.apps \"d\" is forbidden: ValidatingAdmissionPolicy 'p' with binding 'b' denied request: may not scale");
  });

  it('auditAnnotations are published under the policy\'s name; an expression past the cost limit is refused, not run', async () => {
    const { m } = await setup({
      p: { auditAnnotations: [{ key: 'replicas', valueExpression: "'replicas: ' + string(object.spec.replicas)" }] },
      q: { validations: [{ expression: 'object.spec.items.all(a, object.spec.items.all(b, object.spec.items.all(c, true)))' }] },
    }, { b: { policyName: 'p', validationActions: ['Audit'] }, c: { policyName: 'q', validationActions: ['Audit'] } });
    const big = deployment(1);
    (big as Obj).spec.items = Array.from({ length: 2000 }, (_, i) => i);
    const a = attrs(m, big);
    await plugin!.validate(a);
    expect(a.annotations['p/replicas']).toBe('replicas: 1');
    expect(JSON.parse(a.annotations['validation.policy.admission.k8s.io/validation_failure'])[0].message).toMatch(/resulted in error: operation cancelled: actual cost limit exceeded$/);
  });
});
