// The subresources and core kinds the real scheduler and controller manager use, against real etcd.
// Every status code, reason and message below was first read from kube-apiserver v1.35.0 (the peer,
// bench/peer/peer.mjs) with the same requests.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { protobufBody } from '../support/protobuf.js';
import { api } from '../support/watch.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
let cluster: TestCluster;
let base: string;
beforeAll(async () => {
  cluster = await startCluster(1);
  base = cluster.url;
  await api(base, 'POST', '/api/v1/namespaces', { metadata: { name: 'sub' } });
});
afterAll(async () => {
  await cluster?.stop();
});

const table = 'application/json;as=Table;v=v1;g=meta.k8s.io';
const success = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };

/** A request whose answer is checked whatever its status. */
async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> {
  const res = await fetch(base + path, { method, headers: { 'Content-Type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

const pod = (name: string, labels: Record<string, string> = {}, spec: Record<string, unknown> = {}) =>
  ({ metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'x' }], ...spec } });
const mergePatch = (path: string, body: unknown) => call('PATCH', path, body, { 'Content-Type': 'application/merge-patch+json' });

describe('discovery', () => {
  it('lists the new kinds and subresources as kube does, subresources by name', async () => {
    const list = await api(base, 'GET', '/api/v1');
    const byName = new Map<string, any>(list.resources.map((r: any) => [r.name, r]));
    expect(byName.get('bindings')).toMatchObject({ kind: 'Binding', namespaced: true, verbs: ['create'] });
    expect(byName.get('componentstatuses')).toMatchObject({ kind: 'ComponentStatus', namespaced: false, verbs: ['get', 'list'], shortNames: ['cs'] });
    expect(byName.get('pods/binding')).toEqual({ name: 'pods/binding', singularName: '', namespaced: true, kind: 'Binding', verbs: ['create'] });
    expect(byName.get('pods/eviction')).toEqual({ name: 'pods/eviction', singularName: '', namespaced: true, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] });
    expect(byName.get('namespaces/finalize')).toMatchObject({ kind: 'Namespace', verbs: ['update'] });
    expect(byName.get('replicationcontrollers')).toMatchObject({ shortNames: ['rc'], categories: ['all'] });
    expect(byName.get('replicationcontrollers/scale')).toMatchObject({ group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] });
    expect(byName.has('podtemplates')).toBe(true);
    // kube's order: bindings, componentstatuses, configmaps, ...; pods, podtemplates, replicationcontrollers, resourcequotas.
    const names = list.resources.map((r: any) => r.name).filter((n: string) => !n.includes('/'));
    expect(names.slice(0, 3)).toEqual(['bindings', 'componentstatuses', 'configmaps']);
    expect(names.slice(names.indexOf('pods'), names.indexOf('pods') + 4)).toEqual(['pods', 'podtemplates', 'replicationcontrollers', 'resourcequotas']);
    const aggregated = await (await fetch(`${base}/api`, { headers: { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList' } })).json() as any;
    const pods = aggregated.items[0].versions[0].resources.find((r: any) => r.resource === 'pods');
    expect(pods.subresources.map((s: any) => s.subresource)).toEqual(['binding', 'eviction', 'status']);
    const ns = aggregated.items[0].versions[0].resources.find((r: any) => r.resource === 'namespaces');
    expect(ns.subresources.map((s: any) => [s.subresource, s.verbs])).toEqual([['finalize', ['update']], ['status', ['get', 'patch', 'update']]]);
  });
});

describe('pods/binding and bindings', () => {
  it('binds a pod once, with kube\'s answers for everything else', async () => {
    const p = await api(base, 'POST', '/api/v1/namespaces/sub/pods', pod('b1', {}, {}));
    await api(base, 'POST', '/api/v1/namespaces/sub/pods', pod('b2'));
    const bind = (name: string, body: unknown, headers?: Record<string, string>) => call('POST', `/api/v1/namespaces/sub/pods/${name}/binding`, body, headers);

    expect(await bind('b1', { metadata: { name: 'b1' }, target: {} })).toEqual({ status: 500, json: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'target.name: Required value', code: 500 } });
    expect((await bind('b1', { metadata: { name: 'b1' }, target: { kind: 'Pod', name: 'n1' } })).json.message).toBe('target.kind: Unsupported value: "Pod": supported values: "Node", "<empty>"');
    expect(await bind('b1', { metadata: { name: 'b2' }, target: { name: 'n1' } })).toMatchObject({ status: 400, json: { reason: 'BadRequest', message: 'name in URL does not match name in Binding object' } });
    expect(await bind('b1', { metadata: { name: 'b1', uid: 'abc' }, target: { name: 'n1' } })).toMatchObject({ status: 409, json: {
      reason: 'Conflict', details: { name: 'b1', kind: 'pods' },
      message: `Operation cannot be fulfilled on pods "b1": StorageError: invalid object, Code: 4, Key: /registry/pods/sub/b1, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: abc, UID in object meta: ${p.metadata.uid}`,
    } });
    expect((await bind('b1', { metadata: { name: 'b1', resourceVersion: '1' }, target: { name: 'n1' } })).json.message)
      .toBe(`Operation cannot be fulfilled on pods "b1": StorageError: invalid object, Code: 4, Key: /registry/pods/sub/b1, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in object meta: ${p.metadata.resourceVersion}`);
    // kube has no Table for a binding: 406 before anything is written.
    expect(await bind('b1', { metadata: { name: 'b1' }, target: { name: 'n1' } }, { Accept: table })).toMatchObject({ status: 406, json: {
      reason: 'NotAcceptable', message: 'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf',
    } });
    expect((await api(base, 'GET', '/api/v1/namespaces/sub/pods/b1')).spec.nodeName).toBeUndefined();

    expect(await bind('b1', { metadata: { name: 'b1', uid: p.metadata.uid, resourceVersion: p.metadata.resourceVersion, annotations: { a: 'b' }, labels: { l: 'v' } }, target: { name: 'n1' } }))
      .toEqual({ status: 201, json: success });
    const bound = await api(base, 'GET', '/api/v1/namespaces/sub/pods/b1');
    expect(bound.spec.nodeName).toBe('n1');
    expect(bound.metadata).toMatchObject({ annotations: { a: 'b' }, labels: { l: 'v' }, generation: 1 });
    expect(bound.status.conditions).toEqual([{ type: 'PodScheduled', status: 'True', lastTransitionTime: expect.any(String) }]);

    expect(await bind('b1', { metadata: { name: 'b1' }, target: { name: 'n2' } })).toMatchObject({ status: 409, json: {
      reason: 'Conflict', details: { name: 'b1', kind: 'pods/binding' }, message: 'Operation cannot be fulfilled on pods/binding "b1": pod b1 is already assigned to node "n1"',
    } });
    expect(await bind('nope', { metadata: { name: 'nope' }, target: { name: 'n1' } })).toMatchObject({ status: 404, json: { message: 'pods "nope" not found' } });
    // GET on the subresource, or a binding by PUT, is not a route.
    expect((await call('GET', '/api/v1/namespaces/sub/pods/b1/binding')).status).toBe(405);

    // The older bindings resource names the pod in the Binding.
    expect(await call('POST', '/api/v1/namespaces/sub/bindings', { metadata: { name: 'b2' }, target: { name: 'n2' } })).toEqual({ status: 201, json: success });
    expect((await api(base, 'GET', '/api/v1/namespaces/sub/pods/b2')).spec.nodeName).toBe('n2');
    expect((await call('GET', '/api/v1/namespaces/sub/bindings')).status).toBe(405);
  });

  it('takes the Binding as kube-scheduler sends it (protobuf)', async () => {
    await api(base, 'POST', '/api/v1/namespaces/sub/pods', pod('proto'));
    const body = protobufBody('v1', 'Binding', 'k8s.io.api.core.v1.Binding', { metadata: { name: 'proto', namespace: 'sub' }, target: { kind: 'Node', name: 'n9' } });
    const res = await fetch(`${base}/api/v1/namespaces/sub/pods/proto/binding`, {
      method: 'POST', headers: { 'Content-Type': 'application/vnd.kubernetes.protobuf', Accept: 'application/vnd.kubernetes.protobuf, application/json' }, body: new Uint8Array(body),
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual(success);
    expect((await api(base, 'GET', '/api/v1/namespaces/sub/pods/proto')).spec.nodeName).toBe('n9');
  });

  it('refuses a gated pod', async () => {
    await api(base, 'POST', '/api/v1/namespaces/sub/pods', pod('gated', {}, { schedulingGates: [{ name: 'example.com/wait' }] }));
    const r = await call('POST', '/api/v1/namespaces/sub/pods/gated/binding', { metadata: { name: 'gated' }, target: { name: 'n1' } });
    expect(r).toMatchObject({ status: 409, json: { message: 'Operation cannot be fulfilled on pods/binding "gated": pod gated has non-empty .spec.schedulingGates' } });
  });
});

describe('pods/eviction', () => {
  const ns = '/api/v1/namespaces/sub';
  const running = (name: string, ready = true) => mergePatch(`${ns}/pods/${name}/status`, { status: { phase: 'Running', conditions: ready ? [{ type: 'Ready', status: 'True' }] : [] } });
  async function budget(name: string, app: string, status: Record<string, number>): Promise<void> {
    await api(base, 'POST', '/apis/policy/v1/namespaces/sub/poddisruptionbudgets', { metadata: { name }, spec: { minAvailable: 1, selector: { matchLabels: { app } } } });
    const r = await mergePatch(`/apis/policy/v1/namespaces/sub/poddisruptionbudgets/${name}/status`, { status: { desiredHealthy: 1, expectedPods: 2, ...status } });
    expect(r.status).toBe(200);
  }
  const evict = (name: string, extra: Record<string, unknown> = {}, query = '') =>
    call('POST', `${ns}/pods/${name}/eviction${query}`, { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name }, ...extra });
  const gone = async (name: string) => (await call('GET', `${ns}/pods/${name}`)).status === 404;

  it('deletes a pod the budget allows, spending one disruption', async () => {
    await api(base, 'POST', `${ns}/pods`, pod('e-ok', { app: 'ok' }));
    await running('e-ok');
    await budget('pdb-ok', 'ok', { observedGeneration: 1, disruptionsAllowed: 1, currentHealthy: 2 });
    expect(await evict('e-ok', {}, '?dryRun=All')).toEqual({ status: 201, json: success });
    expect(await gone('e-ok')).toBe(false);
    expect((await api(base, 'GET', '/apis/policy/v1/namespaces/sub/poddisruptionbudgets/pdb-ok')).status.disruptionsAllowed).toBe(1);

    expect(await evict('e-ok')).toEqual({ status: 201, json: success });
    expect(await gone('e-ok')).toBe(true);
    const pdb = await api(base, 'GET', '/apis/policy/v1/namespaces/sub/poddisruptionbudgets/pdb-ok');
    expect(pdb.status).toMatchObject({ disruptionsAllowed: 0, disruptedPods: { 'e-ok': expect.any(String) } });
    expect(pdb.status.conditions).toEqual([{ type: 'DisruptionAllowed', status: 'False', observedGeneration: 1, reason: 'InsufficientPods', message: '', lastTransitionTime: expect.any(String) }]);
  });

  it('answers 429 with the DisruptionBudget cause when the budget allows nothing', async () => {
    await api(base, 'POST', `${ns}/pods`, pod('e-zero', { app: 'zero' }));
    await running('e-zero');
    await budget('pdb-zero', 'zero', { observedGeneration: 1, disruptionsAllowed: 0, currentHealthy: 1 });
    expect(await evict('e-zero')).toEqual({ status: 429, json: {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 429, reason: 'TooManyRequests',
      message: "Cannot evict pod as it would violate the pod's disruption budget.",
      details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget pdb-zero needs 1 healthy pods and has 1 currently' }] },
    } });
    expect(await gone('e-zero')).toBe(false);
    // An unready pod of an unhealthy budget is guarded too.
    await api(base, 'POST', `${ns}/pods`, pod('e-unready', { app: 'unready' }));
    await running('e-unready', false);
    await budget('pdb-unready', 'unready', { observedGeneration: 1, disruptionsAllowed: 0, currentHealthy: 0 });
    expect((await evict('e-unready')).json.details.causes[0].message).toBe('The disruption budget pdb-unready needs 1 healthy pods and has 0 currently');
  });

  it('a budget its controller has not seen yet is still being processed', async () => {
    await api(base, 'POST', `${ns}/pods`, pod('e-stale', { app: 'stale' }));
    await running('e-stale');
    await budget('pdb-stale', 'stale', { observedGeneration: 0, disruptionsAllowed: 1, currentHealthy: 2 });
    expect(await evict('e-stale')).toMatchObject({ status: 429, json: {
      reason: 'TooManyRequests', details: { retryAfterSeconds: 10, causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget pdb-stale is still being processed by the server.' }] },
    } });
  });

  it('more than one budget is kube\'s 500', async () => {
    await api(base, 'POST', `${ns}/pods`, pod('e-two', { app: 'two' }));
    await running('e-two');
    await budget('pdb-two-a', 'two', { observedGeneration: 1, disruptionsAllowed: 1, currentHealthy: 2 });
    await budget('pdb-two-b', 'two', { observedGeneration: 1, disruptionsAllowed: 1, currentHealthy: 2 });
    expect(await evict('e-two')).toEqual({ status: 500, json: {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 500,
      message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.',
    } });
  });

  it('pods not running need no budget; unready pods of a healthy budget go; v1beta1 is accepted', async () => {
    await api(base, 'POST', `${ns}/pods`, pod('e-pending', { app: 'zero' }));
    expect(await evict('e-pending')).toEqual({ status: 201, json: success });
    expect(await gone('e-pending')).toBe(true);
    await api(base, 'POST', `${ns}/pods`, pod('e-sick', { app: 'healthy' }));
    await running('e-sick', false);
    await budget('pdb-healthy', 'healthy', { observedGeneration: 1, disruptionsAllowed: 0, currentHealthy: 1 });
    expect(await evict('e-sick')).toEqual({ status: 201, json: success });
    expect((await api(base, 'GET', '/apis/policy/v1/namespaces/sub/poddisruptionbudgets/pdb-healthy')).status.disruptedPods).toBeUndefined();
    await api(base, 'POST', `${ns}/pods`, pod('e-beta'));
    expect(await evict('e-beta', { apiVersion: 'policy/v1beta1' })).toEqual({ status: 201, json: success });
  });

  it('honours the Eviction\'s DeleteOptions preconditions, and refuses what kube refuses', async () => {
    const p = await api(base, 'POST', `${ns}/pods`, pod('e-pre'));
    expect(await evict('e-pre', { deleteOptions: { preconditions: { resourceVersion: '1' } } })).toMatchObject({ status: 409, json: {
      reason: 'Conflict', details: { name: 'e-pre', kind: 'Pod' },
      message: `Operation cannot be fulfilled on Pod "e-pre": the ResourceVersion in the precondition (1) does not match the ResourceVersion in record (${p.metadata.resourceVersion}). The object might have been modified`,
    } });
    expect((await evict('e-pre', { deleteOptions: { preconditions: { uid: 'x' } } })).json.message)
      .toBe(`Operation cannot be fulfilled on Pod "e-pre": the UID in the precondition (x) does not match the UID in record (${p.metadata.uid}). The object might have been deleted and then recreated`);
    expect(await gone('e-pre')).toBe(false);
    expect(await evict('e-pre', { deleteOptions: { preconditions: { uid: p.metadata.uid } } })).toEqual({ status: 201, json: success });
    expect(await gone('e-pre')).toBe(true);

    expect(await call('POST', `${ns}/pods/e-zero/eviction`, { metadata: { name: 'other' } })).toMatchObject({ status: 400, json: { message: 'name in URL does not match name in Eviction object' } });
    expect(await call('POST', `${ns}/pods/e-zero/eviction`, { apiVersion: 'v1', kind: 'Eviction', metadata: { name: 'e-zero' } })).toMatchObject({ status: 400, json: {
      message: 'Eviction in version "v1" cannot be handled as a Eviction: no kind "Eviction" is registered for version "v1" in scheme "pkg/runtime/scheme.go:111"',
    } });
    expect(await evict('nope')).toMatchObject({ status: 404, json: { message: 'pods "nope" not found' } });
    expect((await call('POST', `${ns}/pods/e-zero/eviction`, { metadata: { name: 'e-zero' } }, { Accept: table })).status).toBe(406);
  });

  it('an evicted pod on a node is marked DisruptionTarget and deleted gracefully', async () => {
    await api(base, 'POST', '/api/v1/nodes', { metadata: { name: 'evict-node' } });
    await api(base, 'POST', `${ns}/pods`, pod('e-node', {}, { nodeName: 'evict-node' }));
    await running('e-node');
    expect(await evict('e-node')).toEqual({ status: 201, json: success });
    const marked = await api(base, 'GET', `${ns}/pods/e-node`);
    expect(marked.metadata.deletionTimestamp).toBeTruthy();
    expect(marked.status.conditions.find((c: any) => c.type === 'DisruptionTarget')).toMatchObject({ status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' });
    // The pod, deleting, needs no budget for a second eviction.
    expect(await evict('e-node')).toEqual({ status: 201, json: success });
  });
});

describe('namespaces: finalize and status', () => {
  it('finalize changes spec.finalizers, never status; a deleted namespace goes with its last finalizer', async () => {
    await api(base, 'POST', '/api/v1/namespaces', { metadata: { name: 'fz' } });
    const bad = await call('PUT', '/api/v1/namespaces/fz/finalize', { metadata: { name: 'fz' }, spec: { finalizers: ['foo'] } });
    expect(bad).toMatchObject({ status: 422, json: { reason: 'Invalid', message: 'Namespace "fz" is invalid: spec.finalizers[0]: Invalid value: "foo": name is neither a standard finalizer name nor is it fully qualified' } });
    const ok = await call('PUT', '/api/v1/namespaces/fz/finalize', { metadata: { name: 'fz', labels: { x: 'y' } }, spec: { finalizers: ['kubernetes', 'example.com/f'] }, status: { phase: 'Terminating' } });
    expect(ok.status).toBe(200);
    expect(ok.json.spec).toEqual({ finalizers: ['kubernetes', 'example.com/f'] });
    expect(ok.json.status).toEqual({ phase: 'Active' });
    expect(ok.json.metadata.labels).toEqual({ x: 'y', 'kubernetes.io/metadata.name': 'fz' });
    expect((await call('POST', '/api/v1/namespaces/fz/finalize', {})).status).toBe(405);
    expect((await call('GET', '/api/v1/namespaces/fz/finalize')).status).toBe(405);
    // A status write changes status only.
    const st = await call('PUT', '/api/v1/namespaces/fz/status', { metadata: { name: 'fz' }, spec: { finalizers: [] }, status: { phase: 'Active', conditions: [{ type: 'NamespaceDeletionDiscoveryFailure', status: 'False' }] } });
    expect(st.json.spec).toEqual({ finalizers: ['kubernetes', 'example.com/f'] });
    expect(st.json.status.conditions).toEqual([{ type: 'NamespaceDeletionDiscoveryFailure', status: 'False' }]);

    // Held Terminating by content with a finalizer: status writes leave it; finalize with none left removes it.
    await api(base, 'POST', '/api/v1/namespaces/fz/configmaps', { metadata: { name: 'held', finalizers: ['example.com/hold'] } });
    expect((await call('DELETE', '/api/v1/namespaces/fz')).status).toBe(202);
    const terminating = await api(base, 'GET', '/api/v1/namespaces/fz');
    expect(terminating.status.phase).toBe('Terminating');
    expect((await mergePatch('/api/v1/namespaces/fz/status', { status: { conditions: [{ type: 'NamespaceContentRemaining', status: 'True', reason: 'SomeResourcesRemain' }] } })).status).toBe(200);
    expect((await call('GET', '/api/v1/namespaces/fz')).status).toBe(200);
    const fin = await call('PUT', '/api/v1/namespaces/fz/finalize', { metadata: { name: 'fz' }, spec: { finalizers: [] } });
    expect(fin.status).toBe(200);
    expect((await call('GET', '/api/v1/namespaces/fz')).status).toBe(404);
  });

  it('a patch of status conditions round-trips with no null field (Go clients decode what they get)', async () => {
    await api(base, 'POST', '/api/v1/namespaces', { metadata: { name: 'nulls' } });
    // What a Go client sends: zero metav1.Time is null, empty strings may come as null from other clients.
    const patched = await mergePatch('/api/v1/namespaces/nulls/status', { status: { conditions: [{ type: 'NamespaceDeletionDiscoveryFailure', status: 'True', lastTransitionTime: null, reason: null, message: null }] } });
    expect(patched.status).toBe(200);
    expect(patched.json.status.conditions).toEqual([{ type: 'NamespaceDeletionDiscoveryFailure', status: 'True' }]);
    const strategic = await call('PATCH', '/api/v1/namespaces/nulls/status', { status: { conditions: [{ type: 'NamespaceContentRemaining', status: 'False', reason: null }] } }, { 'Content-Type': 'application/strategic-merge-patch+json' });
    expect(strategic.status).toBe(200);
    const text = await (await fetch(`${base}/api/v1/namespaces/nulls`)).text();
    expect(text).not.toMatch(/:\s*null/);
    // And back: the object as read is a valid update body.
    const back = await call('PUT', '/api/v1/namespaces/nulls/status', JSON.parse(text));
    expect(back.status).toBe(200);
  });

  it('a merge patch of namespaces/status keeps the annotation it brings (kube\'s namespaceStatusStrategy resets the spec only)', async () => {
    await api(base, 'POST', '/api/v1/namespaces', { metadata: { name: 'ns-annotated' }, spec: { finalizers: ['kubernetes'] } });
    const patched = await mergePatch('/api/v1/namespaces/ns-annotated/status', {
      metadata: { annotations: { 'e2e-patched-ns-status': 'ns-annotated' } },
      spec: { finalizers: [] },
      status: { conditions: [{ type: 'StatusPatch', status: 'True', reason: 'E2E', message: 'Patched by an e2e test' }] },
    });
    expect(patched.status).toBe(200);
    expect(patched.json.metadata.annotations).toEqual({ 'e2e-patched-ns-status': 'ns-annotated' });
    expect(patched.json.spec).toEqual({ finalizers: ['kubernetes'] });
    expect(patched.json.status.conditions.at(-1)).toMatchObject({ type: 'StatusPatch', reason: 'E2E' });
  });

  it('pods/status and nodes/status change status only', async () => {
    await api(base, 'POST', '/api/v1/namespaces/sub/pods', pod('st'));
    const r = await call('PUT', '/api/v1/namespaces/sub/pods/st/status', { ...(await api(base, 'GET', '/api/v1/namespaces/sub/pods/st')), spec: { containers: [{ name: 'c', image: 'changed' }] }, status: { phase: 'Running' } });
    expect(r.status).toBe(200);
    expect(r.json.spec.containers[0].image).toBe('x');
    expect(r.json.status.phase).toBe('Running');
    await api(base, 'POST', '/api/v1/nodes', { metadata: { name: 'st-node' } });
    const n = await mergePatch('/api/v1/nodes/st-node/status', { spec: { unschedulable: true }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
    expect(n.status).toBe(200);
    expect(n.json.spec?.unschedulable).toBeUndefined();
    expect(n.json.status.conditions).toEqual([{ type: 'Ready', status: 'True' }]);
  });
});

describe('customresourcedefinitions/status', () => {
  it('takes conditions without type and status, as kube (it validates the accepted names only) stores them as ""', async () => {
    const crd = {
      metadata: { name: 'widgets.status.example.com' },
      spec: { group: 'status.example.com', scope: 'Namespaced', names: { plural: 'widgets', kind: 'Widget' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }] },
    };
    expect((await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd)).status).toBe(201);
    const path = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.status.example.com/status';
    const current = await api(base, 'GET', path);
    current.status.conditions.push({ type: '', status: '', message: 'updated' });
    const updated = await call('PUT', path, current);
    expect(updated.status).toBe(200);
    expect(updated.json.status.conditions.at(-1)).toEqual({ type: '', status: '', message: 'updated' });
    // The conformance spec's JSON patch: a condition with a message only.
    const patched = await call('PATCH', path, [{ op: 'add', path: '/status/conditions', value: [{ message: 'patched' }] }], { 'Content-Type': 'application/json-patch+json' });
    expect(patched.status).toBe(200);
    expect(patched.json.status.conditions).toEqual([{ message: 'patched', type: '', status: '' }]);
  });
});

describe('replicationcontrollers, podtemplates, componentstatuses', () => {
  it('a ReplicationController is defaulted, validated, printed and scaled as kube does', async () => {
    const rc = await api(base, 'POST', '/api/v1/namespaces/sub/replicationcontrollers', { metadata: { name: 'rc1' }, spec: { template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } });
    expect(rc.spec).toMatchObject({ replicas: 1, selector: { a: 'b' } });
    expect(rc.metadata).toMatchObject({ labels: { a: 'b' }, generation: 1 });
    expect(rc.status).toEqual({ replicas: 0 });
    expect(rc.spec.template.spec).toMatchObject({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' });
    const bad = await call('POST', '/api/v1/namespaces/sub/replicationcontrollers', { metadata: { name: 'rc2' }, spec: { replicas: -1, selector: { x: 'y' }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } } });
    expect(bad.json.message).toBe('ReplicationController "rc2" is invalid: [spec.replicas: Invalid value: -1: must be greater than or equal to 0, spec.template.metadata.labels: Invalid value: {"a":"b"}: `selector` does not match template `labels`]');
    expect((await call('POST', '/api/v1/namespaces/sub/replicationcontrollers', { metadata: { name: 'rc2' }, spec: {} })).json.message)
      .toBe('ReplicationController "rc2" is invalid: [spec.selector: Required value, spec.template: Required value]');

    const t = await (await fetch(`${base}/api/v1/namespaces/sub/replicationcontrollers`, { headers: { Accept: table } })).json() as any;
    expect(t.columnDefinitions.map((c: any) => [c.name, c.priority])).toEqual([['Name', 0], ['Desired', 0], ['Current', 0], ['Ready', 0], ['Age', 0], ['Containers', 1], ['Images', 1], ['Selector', 1]]);
    expect(t.rows[0].cells).toEqual(['rc1', 1, 0, 0, expect.any(String), 'c', 'x', 'a=b']);

    const scale = await api(base, 'GET', '/api/v1/namespaces/sub/replicationcontrollers/rc1/scale');
    expect(scale).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', spec: { replicas: 1 }, status: { replicas: 0, selector: 'a=b' } });
    const scaled = await mergePatch('/api/v1/namespaces/sub/replicationcontrollers/rc1/scale', { spec: { replicas: 3 } });
    expect(scaled.json.spec.replicas).toBe(3);
    expect((await api(base, 'GET', '/api/v1/namespaces/sub/replicationcontrollers/rc1')).spec.replicas).toBe(3);
    // The Scale's own Table (kube's printScale), not the controller's.
    const st = await (await fetch(`${base}/api/v1/namespaces/sub/replicationcontrollers/rc1/scale`, { headers: { Accept: table } })).json() as any;
    expect(st.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Desired', 'Available', 'Age']);
    expect(st.rows[0].cells.slice(0, 3)).toEqual(['rc1', 3, 0]);
    const status = await mergePatch('/api/v1/namespaces/sub/replicationcontrollers/rc1/status', { status: { replicas: 3, readyReplicas: 2 } });
    expect(status.json.status).toMatchObject({ replicas: 3, readyReplicas: 2 });
  });

  it('a PodTemplate is defaulted and printed as kube does', async () => {
    const pt = await api(base, 'POST', '/api/v1/namespaces/sub/podtemplates', { metadata: { name: 'pt' }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } });
    expect(pt.template.spec).toMatchObject({ restartPolicy: 'Always', terminationGracePeriodSeconds: 30, schedulerName: 'default-scheduler' });
    expect((await call('POST', '/api/v1/namespaces/sub/podtemplates', { metadata: { name: 'pt2' } })).json.message).toBe('PodTemplate "pt2" is invalid: template.spec.containers: Required value');
    const t = await (await fetch(`${base}/api/v1/namespaces/sub/podtemplates`, { headers: { Accept: table } })).json() as any;
    expect(t.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Containers', 'Images', 'Pod Labels']);
    expect(t.rows[0].cells).toEqual(['pt', 'c', 'x', 'a=b']);
  });

  it('componentstatuses are probed on every read, never stored', async () => {
    const res = await fetch(`${base}/api/v1/componentstatuses`);
    expect(res.headers.get('warning')).toBe('299 - "v1 ComponentStatus is deprecated in v1.19+"');
    const list = await res.json() as any;
    expect(list).toMatchObject({ kind: 'ComponentStatusList', apiVersion: 'v1', metadata: {} });
    expect(list.items.map((i: any) => i.metadata.name).sort()).toEqual(['controller-manager', 'etcd-0', 'scheduler']);
    expect(list.items.find((i: any) => i.metadata.name === 'etcd-0')).toEqual({ metadata: { name: 'etcd-0' }, conditions: [{ type: 'Healthy', status: 'True', message: 'ok' }] });
    expect(await api(base, 'GET', '/api/v1/componentstatuses/etcd-0')).toEqual({ kind: 'ComponentStatus', apiVersion: 'v1', metadata: { name: 'etcd-0' }, conditions: [{ type: 'Healthy', status: 'True', message: 'ok' }] });
    expect(await call('GET', '/api/v1/componentstatuses/nope')).toMatchObject({ status: 404, json: { message: 'componentstatus "nope" not found', details: { kind: 'componentstatus' } } });
    const t = await (await fetch(`${base}/api/v1/componentstatuses`, { headers: { Accept: table } })).json() as any;
    expect(t.columnDefinitions.map((c: any) => c.name)).toEqual(['Name', 'Status', 'Message', 'Error']);
    expect(t.rows.find((r: any) => r.cells[0] === 'etcd-0').cells).toEqual(['etcd-0', 'Healthy', 'ok', '']);
    expect(await call('GET', '/api/v1/componentstatuses?watch=1')).toMatchObject({ status: 405, json: {
      reason: 'MethodNotAllowed', message: 'watch is not supported on resources of kind "componentstatuses"', details: { kind: 'componentstatuses' },
    } });
    expect((await call('POST', '/api/v1/componentstatuses', { metadata: { name: 'x' } })).status).toBe(405);
  });
});
