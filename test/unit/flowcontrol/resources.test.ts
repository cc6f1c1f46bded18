// flowcontrol.apiserver.k8s.io/v1 through the generic store: kube's defaults, validation messages and
// columns; and the bootstrap configuration ensurer's rules (apf.kubernetes.io/autoupdate-spec).
import { describe, expect, it } from 'vitest';
import { ensureAPFConfiguration } from '../../../server/resources/flowcontrol/ensure-configuration.js';
import { memoryStore } from '../../support/memory-store.js';

const group = 'flowcontrol.apiserver.k8s.io';
const everything = { subjects: [{ kind: 'Group', group: { name: 'system:authenticated' } }], resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['*'], clusterScope: true }] };

describe('FlowSchema and PriorityLevelConfiguration', () => {
  it('defaults as kube\'s v1 does', async () => {
    const m = memoryStore();
    const fs = await m.create(m.rt(group, 'flowschemas'), { metadata: { name: 'f' }, spec: { priorityLevelConfiguration: { name: 'p' }, rules: [everything] } });
    expect(fs.spec.matchingPrecedence).toBe(1000);
    expect(fs.metadata.generation).toBe(1);
    expect(fs.status).toEqual({});
    const pl = await m.create(m.rt(group, 'prioritylevelconfigurations'), { metadata: { name: 'p' }, spec: { type: 'Limited', limited: { limitResponse: { type: 'Queue', queuing: {} } } } });
    expect(pl.spec.limited).toEqual({ nominalConcurrencyShares: 30, lendablePercent: 0, limitResponse: { type: 'Queue', queuing: { queues: 64, handSize: 8, queueLengthLimit: 50 } } });
  });

  it('validates with kube\'s messages', async () => {
    const m = memoryStore();
    const flowschemas = m.rt(group, 'flowschemas');
    const pls = m.rt(group, 'prioritylevelconfigurations');
    expect(await m.invalid(m.create(flowschemas, { metadata: { name: 'f' }, spec: { matchingPrecedence: 1, priorityLevelConfiguration: { name: '' }, distinguisherMethod: { type: 'ByColour' }, rules: [{ subjects: [{ kind: 'User' }], nonResourceRules: [{ verbs: ['get', '*'], nonResourceURLs: ['healthz', '/a/*/b'] }] }] } })))
      .toBe('FlowSchema.flowcontrol.apiserver.k8s.io "f" is invalid: [spec.matchingPrecedence: Invalid value: 1: only the schema named \'exempt\' may have matchingPrecedence 1, '
        + 'spec.distinguisherMethod.type: Unsupported value: {"Type":"ByColour"}: supported values: "ByNamespace", "ByUser", '
        + 'spec.priorityLevelConfiguration.name: Required value: must reference a priority level, '
        + 'spec.rules[0].subjects[0].user: Required value: user is required when subject kind is \'User\', '
        + 'spec.rules[0].nonResourceRules[0].verbs: Invalid value: ["get","*"]: if \'*\' is present, must not specify other verbs, '
        + 'spec.rules[0].nonResourceRules[0].nonResourceURLs[0]: Invalid value: "healthz": must start with slash, '
        + 'spec.rules[0].nonResourceRules[0].nonResourceURLs[1]: Invalid value: "/a/*/b": wildcard can only do suffix matching]');
    expect(await m.invalid(m.create(pls, { metadata: { name: 'p' }, spec: { type: 'Limited', limited: { lendablePercent: 101, limitResponse: { type: 'Queue', queuing: { queues: 10, handSize: 11 } } } } })))
      .toBe('PriorityLevelConfiguration.flowcontrol.apiserver.k8s.io "p" is invalid: [spec.limited.limitResponse.queuing.handSize: Invalid value: 11: should not be greater than queues (10), '
        + 'spec.limited.lendablePercent: Invalid value: 101: must be between 0 and 100, inclusive]');
    expect(await m.invalid(m.create(pls, { metadata: { name: 'p' }, spec: { type: 'Exempt' } })))
      .toBe('PriorityLevelConfiguration.flowcontrol.apiserver.k8s.io "p" is invalid: spec.type: Invalid value: "Exempt": must be \'Exempt\' if and only if `name` is \'exempt\'');
    // More answers recorded from kube-apiserver 1.35.
    const answers: Array<[typeof pls, Record<string, unknown>, string]> = [
      [pls, { metadata: { name: 'p1' }, spec: {} }, 'PriorityLevelConfiguration.flowcontrol.apiserver.k8s.io "p1" is invalid: spec.type: Unsupported value: "": supported values: "Exempt", "Limited"'],
      [pls, { metadata: { name: 'p2' }, spec: { type: 'Limited', limited: { limitResponse: {} } } }, 'PriorityLevelConfiguration.flowcontrol.apiserver.k8s.io "p2" is invalid: spec.limited.limitResponse.type: Unsupported value: "": supported values: "Queue", "Reject"'],
      [flowschemas, { metadata: { name: 'f3' }, spec: {} }, 'FlowSchema.flowcontrol.apiserver.k8s.io "f3" is invalid: spec.priorityLevelConfiguration.name: Required value: must reference a priority level'],
      [flowschemas, { metadata: { name: 'f4' }, spec: { priorityLevelConfiguration: { name: 'x' }, rules: [{ subjects: [] }] } },
        'FlowSchema.flowcontrol.apiserver.k8s.io "f4" is invalid: [spec.rules[0].subjects: Required value: subjects must contain at least one value, spec.rules[0]: Required value: at least one of resourceRules and nonResourceRules has to be non-empty]'],
      [flowschemas, { metadata: { name: 'exempt2' }, spec: { priorityLevelConfiguration: { name: 'x' }, matchingPrecedence: 10001, rules: [{ subjects: [{ kind: 'Group', group: {} }], resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] }] } },
        'FlowSchema.flowcontrol.apiserver.k8s.io "exempt2" is invalid: [spec.matchingPrecedence: Invalid value: 10001: must not be greater than 10000, spec.rules[0].subjects[0].group.name: Required value, spec.rules[0].resourceRules[0].namespaces: Required value: resource rules that are not cluster scoped must supply at least one namespace]'],
      [pls, { metadata: { name: 'p3' }, spec: { type: 'Limited', limited: { nominalConcurrencyShares: -1, borrowingLimitPercent: -1, limitResponse: { type: 'Reject', queuing: {} } } } },
        'PriorityLevelConfiguration.flowcontrol.apiserver.k8s.io "p3" is invalid: [spec.limited.nominalConcurrencyShares: Invalid value: -1: must be a non-negative integer, spec.limited.limitResponse.queuing: Forbidden: must be nil if limited.limitResponse.type is not Limited, spec.limited.borrowingLimitPercent: Invalid value: -1: if specified, must be a non-negative integer]'],
      [pls, { metadata: { name: 'p4' }, spec: { type: 'Limited', limited: { limitResponse: { type: 'Queue', queuing: { queues: 513, handSize: 0, queueLengthLimit: -1 } } } } },
        'PriorityLevelConfiguration.flowcontrol.apiserver.k8s.io "p4" is invalid: [spec.limited.limitResponse.queuing.queueLengthLimit: Invalid value: -1: must be positive, spec.limited.limitResponse.queuing.handSize: Invalid value: 8: required entropy bits of deckSize 513 and handSize 8 should not be greater than 60]'],
    ];
    for (const [rt, body, message] of answers) expect(await m.invalid(m.create(rt, body))).toBe(message);
    // The mandatory objects' specs are fixed.
    expect(await m.invalid(m.create(pls, { metadata: { name: 'catch-all' }, spec: { type: 'Limited', limited: { nominalConcurrencyShares: 6, limitResponse: { type: 'Reject' } } } })))
      .toBe('PriorityLevelConfiguration.flowcontrol.apiserver.k8s.io "catch-all" is invalid: spec: Invalid value: {"Type":"Limited","Limited":{"NominalConcurrencyShares":6,"LimitResponse":{"Type":"Reject","Queuing":null},"LendablePercent":0,"BorrowingLimitPercent":null},"Exempt":null}: spec of \'catch-all\' must equal the fixed value');
    expect(await m.invalid(m.create(flowschemas, { metadata: { name: 'f2' }, spec: { priorityLevelConfiguration: { name: 'p' }, rules: [{ subjects: [{ kind: 'ServiceAccount', serviceAccount: { name: 'a' } }, { kind: 'Bad' }], resourceRules: [{ verbs: ['bogus'], apiGroups: [], resources: ['a', '*'], namespaces: ['Not_OK'] }] }] } })))
      .toBe('FlowSchema.flowcontrol.apiserver.k8s.io "f2" is invalid: [spec.rules[0].subjects[0].serviceAccount.namespace: Required value: must specify namespace for service account, '
        + 'spec.rules[0].subjects[1].kind: Unsupported value: "Bad": supported values: "Group", "ServiceAccount", "User", '
        + 'spec.rules[0].resourceRules[0].verbs: Unsupported value: ["bogus"]: supported values: "create", "delete", "deletecollection", "get", "list", "patch", "proxy", "update", "watch", '
        + 'spec.rules[0].resourceRules[0].apiGroups: Required value: resource rules must supply at least one api group, '
        + 'spec.rules[0].resourceRules[0].resources: Invalid value: ["a","*"]: if \'*\' is present, must not specify other resources, '
        + 'spec.rules[0].resourceRules[0].namespaces[0]: Invalid value: "Not_OK": each member of this list must be \'*\' or a DNS-1123 label; a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\', and must start and end with an alphanumeric character (e.g. \'my-name\',  or \'123-abc\', regex used for validation is \'[a-z0-9]([-a-z0-9]*[a-z0-9])?\')]');
  });

  it('prints kube\'s columns, FlowSchemas in matching order', async () => {
    const m = memoryStore();
    const flowschemas = m.rt(group, 'flowschemas');
    const pls = m.rt(group, 'prioritylevelconfigurations');
    await ensureAPFConfiguration(m.store);
    const fs = await m.store.get(flowschemas, '', 'global-default');
    expect(m.table(flowschemas, fs)).toEqual({ columns: ['Name', 'PriorityLevel', 'MatchingPrecedence', 'DistinguisherMethod', 'Age', 'MissingPL'], cells: ['global-default', 'global-default', 9900, 'ByUser', expect.any(String), '?'] });
    expect(m.table(pls, await m.store.get(pls, '', 'workload-low'))).toEqual({ columns: ['Name', 'Type', 'NominalConcurrencyShares', 'Queues', 'HandSize', 'QueueLengthLimit', 'Age'], cells: ['workload-low', 'Limited', 100, 128, 6, 50, expect.any(String)] });
    expect(m.table(pls, await m.store.get(pls, '', 'exempt')).cells.slice(0, 6)).toEqual(['exempt', 'Exempt', '<none>', '<none>', '<none>', '<none>']);
  });
});

describe('bootstrap configuration ensurer', () => {
  it('creates, keeps, respects autoupdate-spec=false, restores mandatory specs and removes dangling bootstrap objects', async () => {
    const m = memoryStore();
    const flowschemas = m.rt(group, 'flowschemas');
    const pls = m.rt(group, 'prioritylevelconfigurations');
    await ensureAPFConfiguration(m.store);
    const names = async (rt: typeof pls) => (await m.store.list(rt, '', {})).items.map((i) => i.metadata.name).sort();
    expect(await names(pls)).toEqual(['catch-all', 'exempt', 'global-default', 'leader-election', 'node-high', 'system', 'workload-high', 'workload-low']);
    expect((await names(flowschemas)).length).toBe(11);

    // Nothing to do a second time: no writes.
    const before = (await m.store.get(pls, '', 'system')).metadata.resourceVersion;
    await ensureAPFConfiguration(m.store);
    expect((await m.store.get(pls, '', 'system')).metadata.resourceVersion).toBe(before);

    // An operator's change to a suggested object stays when they say so; without the annotation it is put back.
    const system = await m.store.get(pls, '', 'system');
    (system.spec as any).limited.nominalConcurrencyShares = 99;
    system.metadata.annotations = { 'apf.kubernetes.io/autoupdate-spec': 'false' };
    await m.update(pls, system);
    const wl = await m.store.get(pls, '', 'workload-low');
    (wl.spec as any).limited.nominalConcurrencyShares = 7;
    await m.update(pls, wl);
    // The exempt level's spec.exempt is the operator's to tune.
    const exempt = await m.store.get(pls, '', 'exempt');
    (exempt.spec as any).exempt.nominalConcurrencyShares = 5;
    await m.update(pls, exempt);
    // A bootstrap object kube no longer ships (annotated true) goes; a user's own (no annotation) stays.
    await m.create(flowschemas, { metadata: { name: 'retired', annotations: { 'apf.kubernetes.io/autoupdate-spec': 'true' } }, spec: { priorityLevelConfiguration: { name: 'system' }, rules: [everything] } });
    await m.create(flowschemas, { metadata: { name: 'mine' }, spec: { priorityLevelConfiguration: { name: 'system' }, rules: [everything] } });
    await ensureAPFConfiguration(m.store);
    expect((await m.store.get(pls, '', 'system') as any).spec.limited.nominalConcurrencyShares).toBe(99);
    expect((await m.store.get(pls, '', 'workload-low') as any).spec.limited.nominalConcurrencyShares).toBe(100);
    expect((await m.store.get(pls, '', 'exempt') as any).spec.exempt.nominalConcurrencyShares).toBe(5);
    expect(await names(flowschemas)).toContain('mine');
    expect(await names(flowschemas)).not.toContain('retired');
  });

  it('instances racing at start do not fight: each object is written once, and every round succeeds', async () => {
    const m = memoryStore();
    // Three instances' hooks at once on one store, twice over.
    await Promise.all([ensureAPFConfiguration(m.store), ensureAPFConfiguration(m.store), ensureAPFConfiguration(m.store)]);
    await Promise.all([ensureAPFConfiguration(m.store), ensureAPFConfiguration(m.store), ensureAPFConfiguration(m.store)]);
    for (const resource of ['flowschemas', 'prioritylevelconfigurations']) {
      const items = (await m.store.list(m.rt(group, resource), '', {})).items;
      expect(items.length).toBe(resource === 'flowschemas' ? 11 : 8);
      // Created once, never rewritten: generation 1 and no managedFields entry but the producer's create.
      expect(items.every((i) => i.metadata.generation === 1)).toBe(true);
      const managers = items.map((i) => ((i.metadata.managedFields ?? []) as Array<{ manager: string }>).map((f) => f.manager));
      expect(managers.every((m) => m.length === 1 && m[0] === 'api-priority-and-fairness-config-producer-v1')).toBe(true);
    }
  });
});

