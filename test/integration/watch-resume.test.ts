// LIST at X then WATCH from X loses nothing, on the same process, after a restart, and across two
// API server processes on one etcd; a write through one instance is read at once through the other.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApiServer, startCluster, type ApiServerProcess, type TestCluster } from '../support/cluster.js';
import { api, openWatch, type WatchEvent } from '../support/watch.js';

let cluster: TestCluster;
const extra: ApiServerProcess[] = [];
beforeAll(async () => {
  cluster = await startCluster(2);
  await api(cluster.url, 'POST', '/api/v1/namespaces', { metadata: { name: 'resume' } });
});
afterAll(async () => {
  for (const a of extra) await a.stop();
  await cluster?.stop();
});

const cms = '/api/v1/namespaces/resume/configmaps';
const cm = (name: string, data: Record<string, string> = {}) => ({ metadata: { name, labels: { app: 'resume' } }, data });
const summary = (evs: WatchEvent[]) => evs.filter((e) => e.type !== 'BOOKMARK').map((e) => `${e.type} ${e.object.metadata.name} ${e.object.data?.v ?? ''}`);

it('a watch from the resourceVersion of a LIST sees every write made after it', async () => {
  await api(cluster.url, 'POST', cms, cm('a', { v: '0' }));
  const list = await api(cluster.url, 'GET', cms);
  const x = list.metadata.resourceVersion;
  // Writes happen between the LIST and the WATCH.
  await api(cluster.url, 'POST', cms, cm('b', { v: '1' }));
  const a = await api(cluster.url, 'GET', `${cms}/a`);
  await api(cluster.url, 'PUT', `${cms}/a`, { ...a, data: { v: '2' } });
  await api(cluster.url, 'DELETE', `${cms}/b`);
  const w = await openWatch(`${cluster.url}${cms}?watch=1&resourceVersion=${x}`);
  await api(cluster.url, 'POST', cms, cm('c', { v: '3' }));
  await w.until((evs) => evs.some((e) => e.object.metadata.name === 'c'), 'c');
  w.stop();
  expect(summary(w.events)).toEqual(['ADDED b 1', 'MODIFIED a 2', 'DELETED b 1', 'ADDED c 3']);
  for (const e of w.events) expect(Number(e.object.metadata.resourceVersion)).toBeGreaterThan(Number(x));
});

it('two API servers: consistent reads through one see writes through the other at once; watches see all', async () => {
  const [one, two] = cluster.apiservers;
  const w2 = await openWatch(`${two.url}${cms}?watch=1&labelSelector=app%3Dresume&resourceVersion=${(await api(two.url, 'GET', cms)).metadata.resourceVersion}`);
  const written: string[] = [];
  for (let i = 0; i < 30; i++) {
    const name = `two-${i}`;
    const created = await api(one.url, 'POST', cms, cm(name, { v: String(i) }));
    written.push(created.metadata.resourceVersion);
    // No resourceVersion: a consistent read, so the other instance already has it.
    const got = await api(two.url, 'GET', `${cms}/${name}`);
    expect(got.metadata.resourceVersion).toBe(created.metadata.resourceVersion);
    const listed = await api(two.url, 'GET', cms);
    expect(listed.items.map((o: any) => o.metadata.name)).toContain(name);
    expect(Number(listed.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(created.metadata.resourceVersion));
    if (i % 3 === 0) {
      const updated = await api(one.url, 'PUT', `${cms}/${name}`, { ...created, data: { v: `${i}u` } });
      written.push(updated.metadata.resourceVersion);
      expect((await api(two.url, 'GET', `${cms}/${name}`)).data.v).toBe(`${i}u`);
    }
    if (i % 5 === 0) {
      await api(one.url, 'DELETE', `${cms}/${name}`);
      await expect(api(two.url, 'GET', `${cms}/${name}`)).rejects.toMatchObject({ status: 404 });
    }
  }
  await w2.until((evs) => evs.filter((e) => e.type === 'DELETED').length === 6, 'the six deletes');
  w2.stop();
  const rvs = w2.events.filter((e) => e.type !== 'DELETED').map((e) => e.object.metadata.resourceVersion);
  expect(rvs).toEqual(written);
  expect(w2.events.filter((e) => e.type === 'ADDED').length).toBe(30);
});

it('a watch resumes from a LIST revision on a restarted server, with writes made while it was down', async () => {
  const list = await api(cluster.url, 'GET', cms);
  const x = list.metadata.resourceVersion;
  const first = cluster.apiservers[0];
  await first.stop();
  // Written through the other instance while the first is down.
  const other = cluster.apiservers[1].url;
  await api(other, 'POST', cms, cm('down-1', { v: 'd1' }));
  const c = await api(other, 'GET', `${cms}/c`);
  await api(other, 'PUT', `${cms}/c`, { ...c, data: { v: 'd2' } });
  await api(other, 'DELETE', `${cms}/down-1`);
  const restarted = await startApiServer(cluster.etcd.url);
  extra.push(restarted);
  const w = await openWatch(`${restarted.url}${cms}?watch=1&resourceVersion=${x}`);
  await api(restarted.url, 'POST', cms, cm('after', { v: 'a' }));
  await w.until((evs) => evs.some((e) => e.object.metadata.name === 'after'), 'after');
  w.stop();
  expect(summary(w.events)).toEqual(['ADDED down-1 d1', 'MODIFIED c d2', 'DELETED down-1 d1', 'ADDED after a']);
});
