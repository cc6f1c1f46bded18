// A dead etcd: requests get 503 (never a hang or a wrong answer), /readyz says so, and the server
// recovers by itself when etcd returns.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';

let cluster: TestCluster;

beforeAll(async () => {
  cluster = await startCluster(1);
});
afterAll(async () => {
  await cluster?.stop();
});

it('answers ServiceUnavailable while etcd is down and recovers after', async () => {
  const url = cluster.url;
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'before' }, data: { a: 'b' } };
  expect((await fetch(`${url}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(cm) })).status).toBe(201);

  await cluster.etcd.kill();
  const list = await fetch(`${url}/api/v1/namespaces/default/configmaps`);
  expect([503, 504, 500]).toContain(list.status);
  const status = await list.json();
  expect(status.kind).toBe('Status');
  const write = await fetch(`${url}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...cm, metadata: { name: 'during' } }) });
  expect([503, 504, 500]).toContain(write.status);
  // /readyz re-checks etcd at most once a second; another check (the watch cache) may fail first.
  await eventually(async () => (await (await fetch(`${url}/readyz?verbose`)).text()).includes('[-]etcd failed'), { timeoutMs: 20000, what: '/readyz to report etcd failed' });
  const ready = await fetch(`${url}/readyz?verbose`);
  expect(ready.status).toBe(500);
  expect(await ready.text()).toContain('[-]etcd failed');
  expect((await fetch(`${url}/livez/ping`)).status).toBe(200);

  await cluster.etcd.restart();
  await eventually(async () => (await fetch(`${url}/readyz`)).status === 200, { timeoutMs: 20000, what: '/readyz to pass with etcd back' });
  const after = await fetch(`${url}/api/v1/namespaces/default/configmaps`);
  expect(after.status).toBe(200);
  const names = (await after.json()).items.map((i: { metadata: { name: string } }) => i.metadata.name);
  expect(names).toContain('before');
  expect(names).not.toContain('during');
  // Writes work again, and the watch cache follows them.
  expect((await fetch(`${url}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ ...cm, metadata: { name: 'after' } }) })).status).toBe(201);
  const got = await fetch(`${url}/api/v1/namespaces/default/configmaps/after`);
  expect(got.status).toBe(200);
});
