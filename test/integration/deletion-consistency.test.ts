// Decisions that destroy data are taken from a consistent read, whichever instance takes them: a
// namespace deleted through one instance right after a pod was put in it through another waits for
// that pod. A guard, not a proof: with the content listed at resourceVersion "0" (the watch cache as
// it is), about one namespace in four went at once here, taking the pod with it.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { api } from '../support/watch.js';

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startCluster(2);
});
afterAll(async () => {
  await cluster?.stop();
});

/** Large writes through A just before the one that matters: B's watch cache is still taking them in when B decides. */
const burst = (base: string, tag: string) => Promise.all(Array.from({ length: 4 }, (_, j) =>
  api(base, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: `ballast-${tag}-${j}` }, data: { v: 'x'.repeat(900_000) } })));
const pod = (name: string, nodeName: string) => ({ metadata: { name }, spec: { nodeName, containers: [{ name: 'c', image: 'nginx' }] } });

it('a namespace deleted through the other instance waits for the pod just put in it', async () => {
  const [a, b] = cluster.apiservers;
  await api(a.url, 'POST', '/api/v1/nodes', { metadata: { name: 'holder' } });
  const outcomes: string[] = [];
  for (let i = 0; i < 4; i++) {
    await api(a.url, 'POST', '/api/v1/namespaces', { metadata: { name: `ns-${i}` } });
    await burst(a.url, `ns${i}`);
    await api(a.url, 'POST', `/api/v1/namespaces/ns-${i}/pods`, pod('p', 'holder'));
    const res = await fetch(`${b.url}/api/v1/namespaces/ns-${i}`, { method: 'DELETE' });
    await res.text();
    const ns = await fetch(`${a.url}/api/v1/namespaces/ns-${i}`);
    outcomes.push(`${res.status} ${ns.status === 200 ? (await ns.json()).status.phase : ns.status}`);
  }
  expect(outcomes).toEqual(Array(4).fill('202 Terminating'));
});

it('a namespace deletion refused by its preconditions deletes nothing in it', async () => {
  const [a, b] = cluster.apiservers;
  const ns = await api(a.url, 'POST', '/api/v1/namespaces', { metadata: { name: 'kept' } });
  await api(a.url, 'POST', '/api/v1/namespaces/kept/configmaps', { metadata: { name: 'precious' } });
  for (const preconditions of [{ uid: 'not-its-uid' }, { resourceVersion: '1' }]) {
    const res = await fetch(`${b.url}/api/v1/namespaces/kept`, {
      method: 'DELETE', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ kind: 'DeleteOptions', apiVersion: 'v1', preconditions }),
    });
    expect(res.status).toBe(409);
  }
  expect((await api(a.url, 'GET', '/api/v1/namespaces/kept/configmaps/precious')).metadata.name).toBe('precious');
  const after = await api(a.url, 'GET', '/api/v1/namespaces/kept');
  expect(after.status.phase).toBe('Active');
  expect(after.metadata.uid).toBe(ns.metadata.uid);
});

it('the background finisher deletes only namespaces marked deleted, not one a client wrote Terminating into', async () => {
  const [a] = cluster.apiservers;
  // Listed first by the finisher's pass, so by the time that pass has finished z-marked it has judged this one.
  const written = await api(a.url, 'POST', '/api/v1/namespaces', { metadata: { name: 'a-phase-written' } });
  const put = await api(a.url, 'PUT', '/api/v1/namespaces/a-phase-written/status', { ...written, status: { phase: 'Terminating' } });
  expect(put.status.phase).toBe('Terminating');
  // A namespace only the finisher can end: held by a pod on a node until the pod goes.
  await api(a.url, 'POST', '/api/v1/nodes', { metadata: { name: 'finisher-node' } });
  await api(a.url, 'POST', '/api/v1/namespaces', { metadata: { name: 'z-marked' } });
  await api(a.url, 'POST', '/api/v1/namespaces/z-marked/pods', pod('p', 'finisher-node'));
  expect((await fetch(`${a.url}/api/v1/namespaces/z-marked`, { method: 'DELETE' }).then((r) => r.text().then(() => r.status)))).toBe(202);
  await api(a.url, 'DELETE', '/api/v1/namespaces/z-marked/pods/p?gracePeriodSeconds=0');
  await eventually(async () => (await fetch(`${a.url}/api/v1/namespaces/z-marked`)).status === 404, { timeoutMs: 15000, what: 'the finisher to end z-marked' });
  expect((await api(a.url, 'GET', '/api/v1/namespaces/a-phase-written')).metadata.uid).toBe(written.metadata.uid);
});
