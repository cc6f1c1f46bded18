// The filter chain seen from outside: the request id every answer carries, and the timeout that
// ends a request which is not long-running (504 Timeout Status) while watches run on.
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { api, openWatch } from '../support/watch.js';

let cluster: TestCluster;
beforeAll(async () => {
  // etcd's own timeout well past the request timeout, so only the filter can end a stalled request.
  cluster = await startCluster(1, ['--request-timeout=3s', '--etcd-request-timeout=60s']);
});
afterAll(async () => {
  if (cluster) process.kill(cluster.etcd.process.pid!, 'SIGCONT');
  await cluster?.stop();
});

const configmaps = '/api/v1/namespaces/default/configmaps';

it('every answer carries Audit-Id: the client\'s Audit-ID as sent, or a new UUID', async () => {
  const mine = await fetch(`${cluster.url}${configmaps}`, { headers: { 'Audit-ID': 'my-request-1' } });
  expect(mine.headers.get('audit-id')).toBe('my-request-1');
  const fresh = await fetch(`${cluster.url}${configmaps}/missing`);
  expect(fresh.status).toBe(404);
  expect(fresh.headers.get('audit-id')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  const other = await fetch(`${cluster.url}/version`);
  expect(other.headers.get('audit-id')).not.toBe(fresh.headers.get('audit-id'));
});

it('a WebSocket watch passes the same chain: its 101 carries the Audit-Id', async () => {
  const ws = new WebSocket(`${cluster.url.replace('http', 'ws')}${configmaps}?watch=true`, { headers: { 'Audit-ID': 'my-socket-1' } });
  try {
    const headers = await new Promise<Record<string, unknown>>((resolve, reject) => {
      ws.once('upgrade', (res) => resolve(res.headers));
      ws.once('error', reject);
    });
    expect(headers['audit-id']).toBe('my-socket-1');
  } finally {
    ws.close();
  }
});

it('a malformed ?timeout= is refused with 400, as kube parses it (a Go duration)', async () => {
  const res = await fetch(`${cluster.url}${configmaps}?timeout=abc`);
  expect(res.status).toBe(400);
  expect(await res.json()).toMatchObject({ kind: 'Status', reason: 'BadRequest', message: 'invalid timeout specified in the request URL - time: invalid duration "abc"' });
  expect((await fetch(`${cluster.url}${configmaps}?timeout=1m30s`)).status).toBe(200);
});

it('a stalled request ends with 504 Timeout at --request-timeout or the shorter ?timeout=; a watch is not cut', async () => {
  const watch = await openWatch(`${cluster.url}${configmaps}?watch=true&fieldSelector=metadata.name%3Dafter-stall`);
  const etcd = cluster.etcd.process.pid!;
  process.kill(etcd, 'SIGSTOP');
  try {
    let started = Date.now();
    const res = await fetch(`${cluster.url}${configmaps}/anything`);
    const took = Date.now() - started;
    expect(res.status).toBe(504);
    expect(await res.json()).toMatchObject({ kind: 'Status', code: 504, reason: 'Timeout', message: 'Timeout: request did not complete within the allotted timeout' });
    expect(took).toBeGreaterThanOrEqual(2900);
    expect(took).toBeLessThan(20000);

    started = Date.now();
    const shorter = await fetch(`${cluster.url}${configmaps}/anything?timeout=1s`);
    expect(shorter.status).toBe(504);
    expect(Date.now() - started).toBeLessThan(2900);
  } finally {
    process.kill(etcd, 'SIGCONT');
  }
  // The watch opened before the stall outlived the request timeout and still delivers.
  await api(cluster.url, 'POST', configmaps, { metadata: { name: 'after-stall' } });
  await watch.until((events) => events.some((e) => e.type === 'ADDED' && e.object.metadata.name === 'after-stall'), 'the watch delivers after the stall');
  watch.stop();
});
