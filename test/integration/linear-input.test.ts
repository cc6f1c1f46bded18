// One request may not freeze the event loop (the linear-time hardening): each attack the review
// found, sent to a real instance, is answered at once with kube's answer, and the instance goes on
// serving. Also: a WebSocket upgrade that is not a watch is served as kube serves it, over HTTP.
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startCluster, type TestCluster } from '../support/cluster.js';

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startCluster(1);
});
afterAll(async () => {
  await cluster?.stop();
});

const N = '/api/v1/namespaces/default/configmaps';

async function timed(path: string, init?: RequestInit): Promise<{ status: number; json: any; ms: number }> {
  const started = performance.now();
  const res = await fetch(cluster.url + path, init);
  const text = await res.text();
  let json: any;
  try { json = JSON.parse(text); } catch { json = text; }
  return { status: res.status, json, ms: performance.now() - started };
}

// Bounds: far above a request's cost on a busy machine, far below what the old code took (minutes and more).
it('?timeout= that made the old regex backtrack 2^30 ways (minutes, before authentication) is 400 at once', async () => {
  const r = await timed(`/version?timeout=${'11s'.repeat(30)}x`);
  expect(r.status).toBe(400);
  expect(r.json).toMatchObject({ kind: 'Status', reason: 'BadRequest', message: `invalid timeout specified in the request URL - time: unknown unit "sx" in duration "${'11s'.repeat(30)}x"` });
  expect(r.ms).toBeLessThan(5000);
});

it('a YAML body of 20k aliases decodes in linear time (16 s before); a billion-laughs body is refused at once', async () => {
  const aliases = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aliases\ndata:\n  v: &v x\nextra: [${Array(20_000).fill('*v').join(', ')}]\n`;
  const r = await timed(N, { method: 'POST', headers: { 'Content-Type': 'application/yaml' }, body: aliases });
  expect(r.status).toBe(201);
  expect(r.ms).toBeLessThan(5000);
  let laughs = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: laughs\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n';
  for (let i = 1; i < 30; i++) laughs += `a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]\n`;
  const bomb = await timed(N, { method: 'POST', headers: { 'Content-Type': 'application/yaml' }, body: laughs });
  expect(bomb.status).toBe(400);
  expect(bomb.json.message).toContain('error converting YAML to JSON: yaml: document contains excessive aliasing');
  expect(bomb.ms).toBeLessThan(5000);
  expect((await timed('/version')).status).toBe(200);
});

it('a CRD pattern Go\'s regexp cannot compile is refused with Go\'s error; values meet patterns on RE2', async () => {
  const crd = (pattern: string) => ({
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'patterns.re2.example.com' },
    spec: {
      group: 're2.example.com', scope: 'Namespaced', names: { plural: 'patterns', singular: 'pattern', kind: 'Pattern', listKind: 'PatternList' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { name: { type: 'string', pattern } } } } } } }],
    },
  });
  const post = (path: string, body: unknown) => timed(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const lookahead = await post('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd('^(?=a)a+$'));
  expect(lookahead.status).toBe(422);
  expect(lookahead.json.message).toContain("must be a valid regular expression, but isn't: error parsing regexp: invalid or unsupported Perl syntax: `(?=`");
  expect((await post('/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd('^(a+)+$'))).status).toBe(201);
  const cr = (name: string, value: string) => ({ apiVersion: 're2.example.com/v1', kind: 'Pattern', metadata: { name }, spec: { name: value } });
  let created = { status: 0, json: undefined as any, ms: 0 };
  for (let i = 0; i < 100 && created.status !== 201; i++) { // the CRD is served once the instance has seen it
    created = await post('/apis/re2.example.com/v1/namespaces/default/patterns', cr('ok', 'aaa'));
    if (created.status !== 201) await new Promise((r) => setTimeout(r, 100));
  }
  expect(created.status).toBe(201);
  const hostile = await post('/apis/re2.example.com/v1/namespaces/default/patterns', cr('hostile', `${'a'.repeat(32)}!`));
  expect(hostile.status).toBe(422);
  expect(hostile.json.message).toContain("spec.name in body should match '^(a+)+$'");
  expect(hostile.ms).toBeLessThan(5000); // 2^32 steps on JavaScript's RegExp: minutes
});

it('a WebSocket upgrade on a list URL without watch is no watch: kube serves the list over HTTP (200, no 101)', async () => {
  const base = cluster.url.replace('http', 'ws');
  const answer = (path: string) => new Promise<{ status: number; body: string; upgraded: boolean }>((resolve, reject) => {
    const ws = new WebSocket(base + path);
    ws.once('upgrade', () => { ws.terminate(); resolve({ status: 101, body: '', upgraded: true }); });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (c: Buffer) => { body += String(c); });
      res.on('end', () => { resolve({ status: res.statusCode ?? 0, body, upgraded: false }); ws.terminate(); });
    });
    ws.once('error', (e) => { if (!String(e.message).includes('Unexpected server response')) reject(e); });
  });
  const list = await answer(N);
  expect(list.upgraded).toBe(false);
  expect(list.status).toBe(200);
  expect(JSON.parse(list.body)).toMatchObject({ kind: 'ConfigMapList', apiVersion: 'v1' });
  const one = await answer(`${N}/aliases`);
  expect([one.status, JSON.parse(one.body).metadata?.name]).toEqual([200, 'aliases']);
  const version = await answer('/version');
  expect([version.status, JSON.parse(version.body).major]).toEqual([200, '1']);
  expect((await answer(`${N}?watch=true`)).upgraded).toBe(true);
  expect((await answer('/api/v1/watch/namespaces/default/configmaps')).upgraded).toBe(true);
});
