// Two API server processes on one etcd, and an API server restart: consistent reads see every
// write at once, watches on one instance see writes made through the other, and LIST at X then
// WATCH from X loses nothing across a restart.
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startApiServer, startCluster, type TestCluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { api, openWatch } from '../support/watch.js';

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startCluster(2);
});
afterAll(async () => {
  await cluster?.stop();
});

const path = '/api/v1/namespaces/default/configmaps';

it('a write through one instance is read at once through the other', async () => {
  const [a, b] = cluster.apiservers;
  for (let i = 0; i < 20; i++) {
    const created = await api(a.url, 'POST', path, { metadata: { name: `ha-${i}` }, data: { i: String(i) } });
    const got = await api(b.url, 'GET', `${path}/ha-${i}`);
    expect(got.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    const listed = await api(b.url, 'GET', path);
    expect(listed.items.map((o: any) => o.metadata.name)).toContain(`ha-${i}`);
    await api(b.url, 'DELETE', `${path}/ha-${i}`);
    expect((await fetch(`${a.url}${path}/ha-${i}`)).status).toBe(404);
  }
});

it('a watch on one instance sees every write made through the other', async () => {
  const [a, b] = cluster.apiservers;
  const from = (await api(b.url, 'GET', path)).metadata.resourceVersion;
  const w = await openWatch(`${b.url}${path}?watch=1&resourceVersion=${from}`);
  const rvs: string[] = [];
  for (let i = 0; i < 30; i++) rvs.push((await api(a.url, 'POST', path, { metadata: { name: `x-${i}` } })).metadata.resourceVersion);
  await w.until((e) => e.length >= 30);
  expect(w.events.map((e) => e.object.metadata.resourceVersion)).toEqual(rvs);
  w.stop();
});

it('LIST at X then WATCH from X loses nothing, also across an API server restart', async () => {
  const [a, b] = cluster.apiservers;
  const listed = await api(a.url, 'GET', path);
  const x = listed.metadata.resourceVersion;
  const expected: string[] = [];
  for (let i = 0; i < 5; i++) expected.push((await api(a.url, 'POST', path, { metadata: { name: `r1-${i}` } })).metadata.resourceVersion);
  await a.stop();
  for (let i = 0; i < 5; i++) expected.push((await api(b.url, 'POST', path, { metadata: { name: `r2-${i}` } })).metadata.resourceVersion);
  const restarted = await startApiServer(cluster.etcd.url);
  cluster.apiservers[0] = restarted;
  for (let i = 0; i < 5; i++) expected.push((await api(restarted.url, 'POST', path, { metadata: { name: `r3-${i}` } })).metadata.resourceVersion);
  const w = await openWatch(`${restarted.url}${path}?watch=1&resourceVersion=${x}`);
  await w.until((e) => e.length >= expected.length);
  expect(w.events.map((e) => [e.type, e.object.metadata.resourceVersion])).toEqual(expected.map((rv) => ['ADDED', rv]));
  w.stop();
});

it('watches over WebSocket, one event per message', async () => {
  const [, b] = cluster.apiservers;
  const from = (await api(b.url, 'GET', path)).metadata.resourceVersion;
  const ws = new WebSocket(`${b.url.replace('http', 'ws')}${path}?watch=1&resourceVersion=${from}`);
  const messages: any[] = [];
  ws.on('message', (m) => messages.push(JSON.parse(m.toString())));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  const made = await api(b.url, 'POST', path, { metadata: { name: 'over-ws' } });
  await api(b.url, 'DELETE', `${path}/over-ws`);
  await eventually(() => messages.length >= 2, { timeoutMs: 5000, intervalMs: 50, what: 'the ADDED and DELETED messages' });
  expect(messages.map((m) => m.type)).toEqual(['ADDED', 'DELETED']);
  expect(messages[0].object.metadata.resourceVersion).toBe(made.metadata.resourceVersion);
  ws.close();
});
