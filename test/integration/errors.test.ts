// Bad input gets kube-apiserver's Status and loses nothing: one real etcd, one real API server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../support/cluster.js';

let cluster: TestCluster;
const cm = (name: string, extra: Record<string, unknown> = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { a: 'b' }, ...extra });

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(cluster.url + path, {
    method, headers: { 'Content-Type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : body instanceof Uint8Array ? new Uint8Array(body) : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text, headers: res.headers };
}

beforeAll(async () => {
  cluster = await startCluster(1);
});
afterAll(async () => {
  await cluster?.stop();
});

describe('Status errors', () => {
  it('creates, then AlreadyExists on a second create', async () => {
    expect((await call('POST', '/api/v1/namespaces/default/configmaps', cm('dup'))).status).toBe(201);
    const r = await call('POST', '/api/v1/namespaces/default/configmaps', cm('dup'));
    expect(r.status).toBe(409);
    expect(r.json).toMatchObject({ kind: 'Status', reason: 'AlreadyExists', message: 'configmaps "dup" already exists', details: { name: 'dup', kind: 'configmaps' } });
  });

  it('NotFound for a missing object and for a missing namespace', async () => {
    const r = await call('GET', '/api/v1/namespaces/default/configmaps/nope');
    expect(r.status).toBe(404);
    expect(r.json).toMatchObject({ reason: 'NotFound', message: 'configmaps "nope" not found' });
    const ns = await call('POST', '/api/v1/namespaces/missing-ns/configmaps', cm('x'));
    expect(ns.status).toBe(404);
    expect(ns.json.message).toBe('namespaces "missing-ns" not found');
  });

  it('Invalid names the field', async () => {
    const r = await call('POST', '/api/v1/namespaces/default/configmaps', cm('Bad_Name'));
    expect(r.status).toBe(422);
    expect(r.json.reason).toBe('Invalid');
    expect(r.json.message).toMatch(/^ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/);
    expect(r.json.details.causes[0]).toMatchObject({ reason: 'FieldValueInvalid', field: 'metadata.name' });
    const noName = await call('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: {} });
    expect(noName.status).toBe(422);
    expect(noName.json.message).toContain('metadata.name: Required value: name or generateName is required');
  });

  it('BadRequest for malformed JSON and YAML, and for a body that does not match the URL', async () => {
    const bad = await call('POST', '/api/v1/namespaces/default/configmaps', '{"metadata": {');
    expect(bad.status).toBe(400);
    expect(bad.json.reason).toBe('BadRequest');
    const badYaml = await call('POST', '/api/v1/namespaces/default/configmaps', 'metadata: [unclosed', { 'Content-Type': 'application/yaml' });
    expect(badYaml.status).toBe(400);
    const wrongNs = await call('POST', '/api/v1/namespaces/default/configmaps', { ...cm('x'), metadata: { name: 'x', namespace: 'kube-system' } });
    expect(wrongNs.status).toBe(400);
    expect(wrongNs.json.message).toBe('the namespace of the provided object does not match the namespace sent on the request');
    const wrongKind = await call('POST', '/api/v1/namespaces/default/configmaps', { ...cm('x'), kind: 'Secret' });
    expect(wrongKind.status).toBe(400);
    const wrongVersion = await call('POST', '/api/v1/namespaces/default/configmaps', { ...cm('x'), apiVersion: 'apps/v1' });
    expect(wrongVersion.status).toBe(400);
    expect(wrongVersion.json.message).toContain('does not match the expected API version (v1)');
    const wrongName = await call('PUT', '/api/v1/namespaces/default/configmaps/dup', cm('other'));
    expect(wrongName.status).toBe(400);
    expect(wrongName.json.message).toBe('the name of the object (other) does not match the name on the URL (dup)');
  });

  it('YAML bodies are accepted', async () => {
    const r = await call('POST', '/api/v1/namespaces/default/configmaps', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  k: v\n', { 'Content-Type': 'application/yaml' });
    expect(r.status).toBe(201);
    expect(r.json.data).toEqual({ k: 'v' });
  });

  it('RequestEntityTooLarge over 3 MiB, and nothing is written', async () => {
    const big = cm('huge', { data: { blob: 'x'.repeat(4 * 1024 * 1024) } });
    const r = await call('POST', '/api/v1/namespaces/default/configmaps', big);
    expect(r.status).toBe(413);
    expect(r.json).toMatchObject({ reason: 'RequestEntityTooLarge', code: 413 });
    expect((await call('GET', '/api/v1/namespaces/default/configmaps/huge')).status).toBe(404);
  });

  it('UnsupportedMediaType, NotAcceptable, MethodNotAllowed and unknown paths', async () => {
    const media = await call('POST', '/api/v1/namespaces/default/configmaps', 'x', { 'Content-Type': 'text/plain' });
    expect(media.status).toBe(415);
    expect(media.json.reason).toBe('UnsupportedMediaType');
    const accept = await call('GET', '/api/v1/namespaces/default/configmaps', undefined, { Accept: 'text/html' });
    expect(accept.status).toBe(406);
    expect(accept.json.reason).toBe('NotAcceptable');
    const method = await call('POST', '/api/v1/namespaces/default/configmaps/dup', cm('dup'));
    expect(method.status).toBe(405);
    expect(method.json.reason).toBe('MethodNotAllowed');
    const unknown = await call('GET', '/api/v1/namespaces/default/widgets');
    expect(unknown.status).toBe(404);
  });

  it('Conflict on a stale resourceVersion, and the stored object is unchanged', async () => {
    const created = (await call('POST', '/api/v1/namespaces/default/configmaps', cm('cas'))).json;
    const first = await call('PUT', '/api/v1/namespaces/default/configmaps/cas', { ...created, data: { a: 'first' } });
    expect(first.status).toBe(200);
    const stale = await call('PUT', '/api/v1/namespaces/default/configmaps/cas', { ...created, data: { a: 'second' } });
    expect(stale.status).toBe(409);
    expect(stale.json).toMatchObject({ reason: 'Conflict', message: 'Operation cannot be fulfilled on configmaps "cas": the object has been modified; please apply your changes to the latest version and try again' });
    expect((await call('GET', '/api/v1/namespaces/default/configmaps/cas')).json.data).toEqual({ a: 'first' });
  });

  it('dryRun=All validates and returns the object without storing it', async () => {
    const r = await call('POST', '/api/v1/namespaces/default/configmaps?dryRun=All', cm('dry'));
    expect(r.status).toBe(201);
    expect(r.json.metadata.uid).toBeTruthy();
    expect((await call('GET', '/api/v1/namespaces/default/configmaps/dry')).status).toBe(404);
    const del = await call('DELETE', '/api/v1/namespaces/default/configmaps/dup?dryRun=All');
    expect(del.status).toBe(200);
    expect((await call('GET', '/api/v1/namespaces/default/configmaps/dup')).status).toBe(200);
  });

  it('fieldValidation: Strict rejects unknown and duplicate fields, Warn answers with Warning headers', async () => {
    const dupBody = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"fv1","name":"fv1"},"data":{"a":"b"}}';
    const strict = await call('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', dupBody);
    expect(strict.status).toBe(400);
    expect(strict.json.message).toContain('duplicate field "metadata.name"');
    const warn = await call('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Warn', dupBody);
    expect(warn.status).toBe(201);
    expect(warn.headers.get('warning')).toContain('duplicate field');
    const badMode = await call('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Loud', cm('fv2'));
    // kube-apiserver 1.35 answers 422 Invalid naming the field (differential case q-create-fieldvalidation-bogus, issue 11).
    expect(badMode.status).toBe(422);
  });

  it('finalizers keep an object until they are removed', async () => {
    const created = (await call('POST', '/api/v1/namespaces/default/configmaps', { ...cm('fin'), metadata: { name: 'fin', finalizers: ['example.com/hold'] } })).json;
    const del = await call('DELETE', '/api/v1/namespaces/default/configmaps/fin');
    expect(del.status).toBe(202);
    const held = (await call('GET', '/api/v1/namespaces/default/configmaps/fin')).json;
    expect(held.metadata.deletionTimestamp).toBeTruthy();
    const add = await call('PUT', '/api/v1/namespaces/default/configmaps/fin', { ...held, metadata: { ...held.metadata, finalizers: ['example.com/hold', 'example.com/more'] } });
    expect(add.status).toBe(422);
    const release = await call('PUT', '/api/v1/namespaces/default/configmaps/fin', { ...held, metadata: { ...held.metadata, finalizers: [] } });
    expect(release.status).toBe(200);
    expect((await call('GET', '/api/v1/namespaces/default/configmaps/fin')).status).toBe(404);
    void created;
  });

  it('delete preconditions and deletecollection by label', async () => {
    const a = (await call('POST', '/api/v1/namespaces/default/configmaps', { ...cm('pre'), metadata: { name: 'pre', labels: { sweep: 'yes' } } })).json;
    await call('POST', '/api/v1/namespaces/default/configmaps', { ...cm('pre2'), metadata: { name: 'pre2', labels: { sweep: 'yes' } } });
    const wrongUid = await call('DELETE', '/api/v1/namespaces/default/configmaps/pre', { kind: 'DeleteOptions', apiVersion: 'v1', preconditions: { uid: 'not-it' } });
    expect(wrongUid.status).toBe(409);
    expect(wrongUid.json.message).toContain('Precondition failed: UID in precondition: not-it');
    const badPolicy = await call('DELETE', '/api/v1/namespaces/default/configmaps/pre', { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Sideways' });
    expect(badPolicy.status).toBe(422);
    const all = await call('DELETE', '/api/v1/namespaces/default/configmaps?labelSelector=sweep%3Dyes');
    expect(all.status).toBe(200);
    expect(all.json.items.map((i: any) => i.metadata.name).sort()).toEqual(['pre', 'pre2']);
    expect((await call('GET', `/api/v1/namespaces/default/configmaps/pre`)).status).toBe(404);
    void a;
  });

  it('generateName makes a unique name', async () => {
    const r = await call('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' } });
    expect(r.status).toBe(201);
    expect(r.json.metadata.name).toMatch(/^gen-[a-z0-9]{5}$/);
  });

  it('a fresh cluster has the four system namespaces', async () => {
    const names = (await call('GET', '/api/v1/namespaces')).json.items.map((n: any) => n.metadata.name).sort();
    expect(names).toEqual(expect.arrayContaining(['default', 'kube-node-lease', 'kube-public', 'kube-system']));
  });
});
