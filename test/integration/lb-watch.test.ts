// Watches through the load balancer: a watch survives a kill -9 of the instance serving it with no
// gap and no duplicate, a restarted instance takes back a share of the watches, Table watches keep
// one header, a resume that is too old ends with kube's ERROR event, and WebSocket watches pass through.
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type ApiServerProcess, startApiServer, startCluster, type TestCluster } from '../support/cluster.js';
import { type LbProcess, startLb } from '../support/lb.js';
import { api, openWatch, type WatchStream } from '../support/watch.js';

let cluster: TestCluster;
let lb: LbProcess;
beforeAll(async () => {
  cluster = await startCluster(3);
  lb = await startLb(cluster.apiservers.map((a) => a.url));
});
afterAll(async () => {
  await lb?.stop();
  await cluster?.stop();
});

const ns = '/api/v1/namespaces/default';

/** The instance holding `n` more open watches than before, by the LB's stats. */
async function backendsWithWatches(): Promise<Map<string, number>> {
  const s = await lb.stats();
  return new Map(s.backends.map((b: any) => [b.url, b.openWatches]));
}

function instanceAt(url: string): ApiServerProcess {
  return cluster.apiservers.find((a) => a.url === url)!;
}

async function killAndRestart(victim: ApiServerProcess): Promise<ApiServerProcess> {
  victim.process.kill('SIGKILL');
  await new Promise((r) => victim.process.once('exit', r));
  return victim;
}

/** Creates with a fixed name until it is known to exist exactly once (a failed POST may or may not have landed). */
async function createThroughLb(path: string, name: string, labels: Record<string, string> = {}): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const res = await fetch(`${lb.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ metadata: { name, labels } }) });
    if (res.status === 201 || res.status === 409) return;
    await fetch(`${lb.url}${path}/${name}`).then(async (r) => {
      if (r.status === 200) i = 1000;
    });
    if (i >= 1000) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`could not create ${name}`);
}

function eventKeys(w: WatchStream): string[] {
  return w.events.map((e) => `${e.type} ${e.object.metadata.name} ${e.object.metadata.resourceVersion}`);
}

async function expectedAdds(path: string, prefix: string): Promise<string[]> {
  const listed = await api(lb.url, 'GET', path);
  return listed.items
    .filter((o: any) => o.metadata.name.startsWith(prefix))
    .sort((a: any, b: any) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion))
    .map((o: any) => `ADDED ${o.metadata.name} ${o.metadata.resourceVersion}`);
}

it('a watch continues across a kill -9 of its instance with no gap and no duplicate', async () => {
  const path = `${ns}/configmaps`;
  const from = (await api(lb.url, 'GET', path)).metadata.resourceVersion;
  const before = await backendsWithWatches();
  const w = await openWatch(`${lb.url}${path}?watch=1&resourceVersion=${from}`);
  await lb.waitFor((s) => s.watches.open === 1, 'the watch open');
  const after = await backendsWithWatches();
  const holder = [...after].find(([url, n]) => n > (before.get(url) ?? 0))![0];
  const N = 60;
  for (let i = 0; i < N; i++) {
    if (i === 20) await killAndRestart(instanceAt(holder));
    await createThroughLb(path, `kill-${i}`);
  }
  const expected = await expectedAdds(path, 'kill-');
  expect(expected).toHaveLength(N);
  await w.until((e) => e.length >= N, `${N} events`);
  // A moment for any duplicate to show up.
  await createThroughLb(path, 'kill-sentinel');
  await w.until((e) => e.some((x) => x.object.metadata.name === 'kill-sentinel'), 'the sentinel');
  expect(eventKeys(w).slice(0, N)).toEqual(expected);
  expect(w.events).toHaveLength(N + 1);
  const stats = await lb.stats();
  expect(stats.watches.resumed).toBeGreaterThanOrEqual(1);
  expect(stats.backends.find((b: any) => b.url === holder).state).toBe('ejected');
  w.stop();
  // Bring the instance back for the next tests.
  const i = cluster.apiservers.findIndex((a) => a.url === holder);
  cluster.apiservers[i] = await startApiServer(cluster.etcd.url, [], {}, Number(new URL(holder).port));
  await lb.waitFor((s) => s.backends.every((b: any) => b.state === 'healthy'), 'the instance back');
});
