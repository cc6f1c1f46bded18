// The webhook backend against a real local HTTP receiver: batches cut at the maximum size or the
// maximum wait, the kubeconfig's bearer token sent, and a 503 retried with backoff until it lands.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebhookBackend } from '../../server/audit/backends/webhook.js';
import type { AuditEvent } from '../../server/audit/event.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'audit-webhook-'));
let receiver: http.Server;
let failNext = 0;
const received: { auth?: string; ids: string[]; at: number }[] = [];
let configFile: string;

beforeAll(async () => {
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (failNext > 0) {
        failNext--;
        res.statusCode = 503;
        return res.end();
      }
      const list = JSON.parse(body) as { kind: string; items: AuditEvent[] };
      expect(list.kind).toBe('EventList');
      received.push({ auth: req.headers.authorization, ids: list.items.map((e) => e.auditID), at: Date.now() });
      res.end('{}');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  configFile = path.join(dir, 'webhook.yaml');
  writeFileSync(configFile, `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "http://127.0.0.1:${(receiver.address() as AddressInfo).port}/"}}]
users: [{name: u, user: {token: t0k3n}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`);
});

afterAll(() => {
  receiver?.close();
  rmSync(dir, { recursive: true, force: true });
});

const event = (id: string) => ({ kind: 'Event', apiVersion: 'audit.k8s.io/v1', auditID: id, stage: 'ResponseComplete' }) as AuditEvent;

it('cuts batches at the maximum size, sends the rest after the maximum wait, with the kubeconfig\'s token', async () => {
  received.length = 0;
  const hook = new WebhookBackend({ configFile, mode: 'batch', batchMaxSize: 3, batchMaxWaitSeconds: 0.3, initialBackoffSeconds: 0.05 });
  const started = Date.now();
  for (let i = 0; i < 7; i++) hook.process([event(`e${i}`)]);
  const deadline = Date.now() + 5000;
  while (received.flatMap((r) => r.ids).length < 7 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await hook.stop();
  expect(received.map((r) => r.ids.length).sort()).toEqual([1, 3, 3]);
  expect(received.flatMap((r) => r.ids).sort()).toEqual(['e0', 'e1', 'e2', 'e3', 'e4', 'e5', 'e6']);
  const last = received.find((r) => r.ids.length === 1)!;
  expect(last.at - started).toBeGreaterThanOrEqual(250); // waited for the batch's maximum wait
  for (const r of received) expect(r.auth).toBe('Bearer t0k3n');
});

it('retries a failed POST with backoff until the receiver takes it', async () => {
  received.length = 0;
  failNext = 2;
  const hook = new WebhookBackend({ configFile, mode: 'batch', batchMaxSize: 1, batchMaxWaitSeconds: 1, initialBackoffSeconds: 0.05 });
  hook.process([event('retried')]);
  const deadline = Date.now() + 5000;
  while (!received.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await hook.stop();
  expect(failNext).toBe(0);
  expect(received.map((r) => r.ids)).toEqual([['retried']]);
});
