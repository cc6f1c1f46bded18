// Audit against a real server: one line per stage per request with the policy's level, the user
// from the token file, objectRef and status; secrets at Metadata never carry their data; no line
// for what the policy drops; the webhook receives EventList batches; a policy that does not load
// stops the server; and after a SIGKILL every acknowledged request's ResponseComplete is on disk,
// across log rotation.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { stopProcess } from '../../compose/local/processes.js';
import { listBackups } from '../../server/audit/backends/log.js';
import type { AuditEvent } from '../../server/audit/event.js';
import { type ApiServerProcess, type Etcd, startApiServer, startEtcd } from '../support/cluster.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'audit-it-'));
const tokens = writeFile('tokens.csv', 'admin-token,admin,uid-admin,"system:masters"\nalice-token,alice,uid-alice,"dev"\n');
const policyFile = writeFile('policy.yaml', `apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  - level: None
    nonResourceURLs: ["/readyz*", "/healthz*", "/livez*"]
  - level: Metadata
    resources: [{group: "", resources: ["secrets"]}]
  - level: RequestResponse
    resources: [{group: "", resources: ["configmaps"]}]
  - level: Metadata
`);

let etcd: Etcd;
let server: ApiServerProcess | undefined;
let receiver: http.Server;
const batches: { items: AuditEvent[]; kind: string; apiVersion: string }[] = [];
const logFile = path.join(dir, 'logs', 'audit.log');

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      batches.push(JSON.parse(body));
      res.end('{}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const webhookConfig = writeFile('webhook.yaml', [
    'apiVersion: v1', 'kind: Config',
    'clusters:', `- name: sink`, `  cluster: {server: "http://127.0.0.1:${(receiver.address() as AddressInfo).port}/audit"}`,
    'contexts:', '- name: sink', '  context: {cluster: sink, user: sink}', 'current-context: sink',
    'users:', '- name: sink', '  user: {token: sink-token}', '',
  ].join('\n'));
  etcd = await startEtcd(dir);
  server = await startApiServer(etcd.url, [
    `--token-auth-file=${tokens}`, `--audit-policy-file=${policyFile}`, `--audit-log-path=${logFile}`,
    `--audit-webhook-config-file=${webhookConfig}`, '--audit-webhook-batch-max-size=5', '--audit-webhook-batch-max-wait=200ms',
  ]);
}, 90000);

afterAll(async () => {
  await server?.stop();
  await etcd?.stop();
  receiver?.close();
  rmSync(dir, { recursive: true, force: true });
});

function writeFile(name: string, text: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
}

function events(file = logFile): AuditEvent[] {
  // A SIGKILL may tear the last line (a request never acknowledged): only whole lines count.
  return readFileSync(file, 'utf8').split('\n').slice(0, -1).filter(Boolean).map((l) => JSON.parse(l) as AuditEvent);
}

async function call(token: string, method: string, uri: string, body?: unknown): Promise<{ status: number; auditID: string; body: any }> {
  const res = await fetch(`${server!.url}${uri}`, {
    method, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'User-Agent': 'audit-test/1' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  // A watch answers a stream of events, not one object.
  return { status: res.status, auditID: res.headers.get('audit-id')!, body: uri.includes('watch=true') ? text : JSON.parse(text) };
}

describe('audit log with a policy', () => {
  it('writes RequestReceived and ResponseComplete per request, with the level, user, objectRef and bodies the policy asks', async () => {
    const r = await call('alice-token', 'POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'audited' }, data: { a: '1' } });
    expect(r.status).toBe(201);
    const mine = events().filter((e) => e.auditID === r.auditID);
    expect(mine.map((e) => e.stage)).toEqual(['RequestReceived', 'ResponseComplete']);
    const done = mine[1];
    expect(done).toMatchObject({
      kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'RequestResponse', verb: 'create', requestURI: '/api/v1/namespaces/default/configmaps',
      user: { username: 'alice', uid: 'uid-alice', groups: ['dev', 'system:authenticated'] }, sourceIPs: ['127.0.0.1'], userAgent: 'audit-test/1',
      objectRef: { resource: 'configmaps', namespace: 'default', name: 'audited', apiVersion: 'v1' }, responseStatus: { metadata: {}, code: 201 },
      requestObject: { kind: 'ConfigMap', metadata: { name: 'audited' }, data: { a: '1' } },
      responseObject: { kind: 'ConfigMap', metadata: { name: 'audited', uid: r.body.metadata.uid }, data: { a: '1' } },
      annotations: { 'authorization.k8s.io/decision': 'allow' },
    });
    expect(done.stageTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    expect(Date.parse(done.stageTimestamp)).toBeGreaterThanOrEqual(Date.parse(done.requestReceivedTimestamp));
  });

  it('secrets at Metadata: who and what, never the data', async () => {
    const r = await call('admin-token', 'POST', '/api/v1/namespaces/default/secrets', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's1' }, stringData: { password: 'hunter2-very-secret' } });
    expect(r.status).toBe(201);
    const got = await call('admin-token', 'GET', '/api/v1/namespaces/default/secrets/s1');
    expect(got.status).toBe(200);
    const mine = events().filter((e) => e.auditID === r.auditID || e.auditID === got.auditID);
    expect(mine).toHaveLength(4);
    for (const e of mine) {
      expect(e.level).toBe('Metadata');
      expect(e.requestObject).toBeUndefined();
      expect(e.responseObject).toBeUndefined();
      expect(e.user.username).toBe('admin');
    }
    // The create names its object in the body only; at Metadata the event still says which (kube's LogRequestObject).
    expect(mine.find((e) => e.auditID === r.auditID && e.stage === 'ResponseComplete')?.objectRef).toEqual({ resource: 'secrets', namespace: 'default', name: 's1', apiVersion: 'v1' });
    expect(mine.find((e) => e.auditID === got.auditID && e.stage === 'ResponseComplete')?.objectRef).toEqual({ resource: 'secrets', namespace: 'default', name: 's1', apiVersion: 'v1' });
    const text = readFileSync(logFile, 'utf8');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain(Buffer.from('hunter2-very-secret').toString('base64'));
  });

  it('a failure carries its Status; a watch gets ResponseStarted; what the policy drops has no line', async () => {
    const missing = await call('alice-token', 'GET', '/api/v1/namespaces/default/pods/nope');
    expect(missing.status).toBe(404);
    const watch = await call('alice-token', 'GET', '/api/v1/namespaces/default/pods?watch=true&timeoutSeconds=1');
    expect(watch.status).toBe(200);
    const ready = await fetch(`${server!.url}/readyz`);
    const readyID = ready.headers.get('audit-id');
    const all = events();
    expect(all.find((e) => e.auditID === missing.auditID && e.stage === 'ResponseComplete')?.responseStatus).toMatchObject({ status: 'Failure', reason: 'NotFound', code: 404, message: 'pods "nope" not found' });
    expect(all.filter((e) => e.auditID === watch.auditID).map((e) => [e.stage, e.verb])).toEqual([['RequestReceived', 'watch'], ['ResponseStarted', 'watch'], ['ResponseComplete', 'watch']]);
    expect(all.some((e) => e.auditID === readyID)).toBe(false);
  });

  it('a WebSocket watch: ResponseStarted with the 101, ResponseComplete only once the socket closes', async () => {
    const ws = new WebSocket(`${server!.url.replace('http', 'ws')}/api/v1/namespaces/default/pods?watch=true`, { headers: { Authorization: 'Bearer alice-token', 'Audit-ID': 'ws-audit-1' } });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const stages = () => events().filter((e) => e.auditID === 'ws-audit-1').map((e) => [e.stage, e.responseStatus?.code]);
    expect(stages()).toEqual([['RequestReceived', undefined], ['ResponseStarted', 101]]);
    ws.close();
    const deadline = Date.now() + 5000;
    while (stages().length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(stages()).toEqual([['RequestReceived', undefined], ['ResponseStarted', 101], ['ResponseComplete', 101]]);
  });

  it('a failed authentication is one ResponseStarted event with no user, as kube\'s failed-authentication audit', async () => {
    const r = await call('wrong-token', 'GET', '/api/v1/namespaces/default/configmaps');
    expect(r.status).toBe(401);
    const mine = events().filter((e) => e.auditID === r.auditID);
    expect(mine).toHaveLength(1);
    // As kube-apiserver 1.35 writes it: the 401's Status, also as the responseObject at RequestResponse.
    const status = { status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 };
    expect(mine[0]).toMatchObject({ stage: 'ResponseStarted', level: 'RequestResponse', verb: 'list', user: {}, responseStatus: { metadata: {}, ...status }, responseObject: { kind: 'Status', ...status } });
    expect(mine[0].user).toEqual({});
  });

  it('the webhook receives the same events as EventList batches', async () => {
    const r = await call('alice-token', 'DELETE', '/api/v1/namespaces/default/configmaps/audited');
    expect(r.status).toBe(200);
    const sent = () => batches.flatMap((b) => b.items).map((e) => `${e.auditID}/${e.stage}`);
    const logged = events().map((e) => `${e.auditID}/${e.stage}`);
    expect(logged).toContain(`${r.auditID}/ResponseComplete`);
    const deadline = Date.now() + 10000;
    while (!logged.every((k) => sent().includes(k)) && Date.now() < deadline) await new Promise((res) => setTimeout(res, 50));
    for (const b of batches) {
      expect(b).toMatchObject({ kind: 'EventList', apiVersion: 'audit.k8s.io/v1' });
      expect(b.items.length).toBeLessThanOrEqual(5);
    }
    expect(batches.length).toBeGreaterThan(1);
    const fromHook = sent();
    const fromLog = logged;
    expect(fromLog.every((k) => fromHook.includes(k))).toBe(true);
  });
});

it('a policy that does not load stops the server with the reason', async () => {
  const bad = writeFile('bad.yaml', 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Loud\n');
  const err = await startApiServer(etcd.url, [`--audit-policy-file=${bad}`, `--audit-log-path=${path.join(dir, 'bad.log')}`]).then(() => undefined, (e: Error & { output?: string }) => e);
  expect(err).toBeDefined();
  expect(`${err!.message} ${err!.output ?? ''}`).toMatch(/rules\[0\]\.level: Unsupported value: "Loud"/);
}, 90000);

it('after a SIGKILL every acknowledged request\'s ResponseComplete is on disk, across rotation', async () => {
  const file = path.join(dir, 'kill', 'audit.log');
  const killed = await startApiServer(etcd.url, [
    `--token-auth-file=${tokens}`, `--audit-policy-file=${policyFile}`, `--audit-log-path=${file}`, '--audit-log-maxsize=1', '--audit-log-maxbackup=20',
  ]);
  const acknowledged: string[] = [];
  try {
    const pad = 'x'.repeat(100 * 1024);
    // Writes in flight when the kill lands: some answered, some not.
    const inFlight = Array.from({ length: 40 }, async (_, i) => {
      const res = await fetch(`${killed.url}/api/v1/namespaces/default/configmaps`, {
        method: 'POST', headers: { Authorization: 'Bearer alice-token', 'Content-Type': 'application/json' },
        body: JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `kill-${i}` }, data: { pad } }),
      });
      if (res.status === 201) acknowledged.push(res.headers.get('audit-id')!);
    }).map((p) => p.catch(() => undefined)); // the kill cuts the unanswered ones
    const deadline = Date.now() + 30000;
    while (acknowledged.length < 25 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await stopProcess(killed.process, 5000, 'SIGKILL');
    await Promise.allSettled(inFlight);
  } finally {
    await stopProcess(killed.process, 1000, 'SIGKILL');
  }
  expect(acknowledged.length).toBeGreaterThanOrEqual(25);
  const backups = listBackups(file);
  expect(backups.length).toBeGreaterThan(0); // ~200 KB per write: the 1 MB file rotated
  const complete = new Set<string>();
  for (const f of [file, ...backups.map((b) => path.join(path.dirname(file), b.file))]) {
    for (const e of events(f)) if (e.stage === 'ResponseComplete' && e.responseStatus?.code === 201) complete.add(e.auditID);
  }
  for (const id of acknowledged) expect(complete.has(id), `ResponseComplete of ${id}`).toBe(true);
}, 120000);
