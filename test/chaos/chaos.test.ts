// Chaos (issue 6, item 6): the HA topology from the real launcher under paced writes, reads and
// watches through the LB, while kill -9 takes, one after another, an API server, an etcd follower,
// the etcd leader, Redis, the instance serving the busiest watch and the fan-out publisher's. Each
// comes back by the supervisor alone; nothing acknowledged is lost; every watcher sees its selection exactly once, in
// order; failed requests during each fault stay under the bounds below. Figures go to bench/results/.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { repoRoot } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { gone } from '../support/pids.js';
import { api, openWatch, type WatchStream } from '../support/watch.js';
import {
  ChaosCluster, apiserverReady, etcdHealthy, etcdIsLeader, fanoutPublisher, feedMode, lbStats, redisPing, type Component,
} from './cluster.js';
import { etcdHistory, etcdState, expectedFor, matches, seen, watchPath, type Selection, type StoredEvent } from './history.js';
import { Load, colors, figures, memberDown, namespaces, noInstanceReady, cacheBehind, type RequestRecord, type WindowFigures } from './load.js';

/**
 * The bounds on failed requests per fault window (from the kill until every component answers ready
 * again; a request counts in the first window it was under way in), not counting the requests the
 * etcd client defect at the end explains: an instance's etcd call sent to the dead member, and,
 * during etcd faults, the LB's 503 when every instance failed /readyz at once that way; and the
 * consistent reads the second defect fails with 504 while the fan-out publisher is replaced.
 * - An API server killed: reads in flight on it are retried by the LB; writes in flight on it are
 *   not (they may have been applied): about one per writer at most. Reads <= 2, writes <= 8.
 * - Redis killed: requests do not go through Redis at all. Reads <= 2, writes <= 2.
 * - The etcd leader killed: writes and linearizable reads wait for a new leader and may time out
 *   (--etcd-request-timeout 5s) or get 503. A quarter of either, or 10, whichever is more.
 * - An etcd follower killed: a quorum serves throughout; only the calls in flight on the killed
 *   member's connection fail. Reads <= 2, writes <= 4.
 */
interface Bound { reads: (f: WindowFigures) => number; writes: (f: WindowFigures) => number }
const instanceBound: Bound = { reads: () => 2, writes: () => 8 };
const bounds: Record<string, Bound> = {
  'apiserver instance': instanceBound,
  'instance of the busiest watch': instanceBound,
  'fan-out publisher\'s instance': instanceBound,
  redis: { reads: () => 2, writes: () => 2 },
  'etcd leader': { reads: (f) => Math.max(10, Math.ceil(f.reads / 4)), writes: (f) => Math.max(10, Math.ceil(f.writes / 4)) },
  'etcd follower': { reads: () => 2, writes: () => 4 },
};

const selections: Selection[] = [
  { name: 'all' }, { name: 'all-2' }, { name: namespaces[0], ns: namespaces[0] }, { name: namespaces[1], ns: namespaces[1] },
  { name: 'red', color: 'red' }, { name: `${namespaces[1]}-blue`, ns: namespaces[1], color: 'blue' },
];
const key = (o: any) => `${o.metadata.namespace}/${o.metadata.name}`;

interface FaultResult extends WindowFigures {
  fault: string;
  victim: string;
  /** The instance publishing etcd's events to Redis when the fault began. */
  publisher?: string;
  oldPid: number;
  newPid: number;
  recoveredMs: number;
  killedAt: number;
  recoveredAt: number;
  maxFailedReads: number;
  maxFailedWrites: number;
}

let cluster: ChaosCluster;
let load: Load;
let watchers: WatchStream[] = [];
let listRv: number;
let initial: Map<string, any>;
let baseline: WindowFigures;
const results: FaultResult[] = [];
let sentinels: any[] = [];
let history: StoredEvent[] = [];

beforeAll(async () => {
  cluster = await ChaosCluster.start(3);
  for (const ns of namespaces) await api(cluster.lbUrl, 'POST', '/api/v1/namespaces', { metadata: { name: ns } });
  const list = await api(cluster.lbUrl, 'GET', '/api/v1/configmaps');
  listRv = Number(list.metadata.resourceVersion);
  initial = new Map(list.items.map((o: any) => [key(o), o]));
  watchers = await Promise.all(selections.map((s) => {
    const q = new URLSearchParams({ watch: 'true', resourceVersion: String(listRv) });
    if (s.color) q.set('labelSelector', `color=${s.color}`);
    return openWatch(`${cluster.lbUrl}${watchPath(s)}?${q}`);
  }));
  // 4 writers at 8 writes/s each, 2 readers at 8 reads/s each.
  load = new Load(cluster.lbUrl, { writers: 4, readers: 2, intervalMs: 125, timeoutMs: 15000 });
  load.start();
  await runFaults();
}, 420000);

afterAll(async () => {
  await load?.stop();
  for (const w of watchers) w.stop();
  await cluster?.stop();
}, 120000);

/** '' when every component answers ready; otherwise what does not (for the timeout message). */
async function notReady(): Promise<string> {
  const state = cluster.state();
  const missing: string[] = [];
  const probe = async (c: Component, check: () => Promise<boolean>) => {
    let ok = false;
    try {
      ok = !gone(c.pid) && (await check());
    } catch {
      ok = false;
    }
    if (!ok) missing.push(c.name);
  };
  const etcd = state.components.filter((c) => c.role === 'etcd');
  await Promise.all(state.components.map((c) => {
    switch (c.role) {
      case 'etcd': return probe(c, () => etcdHealthy(c));
      case 'redis': return probe(c, () => redisPing(c));
      case 'apiserver': return probe(c, async () => (await apiserverReady(c)) && (await feedMode(c)) === 'redis');
      case 'lb': return probe(c, async () => (await lbStats(cluster.dir)).backends.every((b) => b.state === 'healthy'));
    }
  }));
  const leaders = (await Promise.all(etcd.map((c) => etcdIsLeader(c).catch(() => false)))).filter(Boolean).length;
  if (leaders !== 1) missing.push(`${leaders} etcd leaders`);
  return missing.join(', ');
}

async function waitReady(what: string, timeoutMs: number): Promise<void> {
  let last = '';
  await eventually(async () => (last = await notReady()) === '', { what: `${what} (not ready: ${last})`, timeoutMs, intervalMs: 200 });
}

/** Waits until `n` writes started after `since` were acknowledged: the load is flowing. */
async function writesFlowing(since: number, n: number, what: string): Promise<void> {
  await eventually(() => load.writes.filter((w) => w.ok && w.start >= since).length >= n, { what, timeoutMs: 60000 });
}

async function etcdMembers(): Promise<{ leader: Component; followers: Component[] }> {
  const members = cluster.byRole('etcd');
  const isLeader = await Promise.all(members.map((c) => etcdIsLeader(c)));
  const leader = members.filter((_, i) => isLeader[i]);
  if (leader.length !== 1) throw new Error(`${leader.length} etcd leaders`);
  return { leader: leader[0], followers: members.filter((_, i) => !isLeader[i]) };
}

const faults: Array<{ fault: string; pick: () => Promise<Component> }> = [
  { fault: 'apiserver instance', pick: async () => cluster.component('apiserver-2') },
  { fault: 'etcd follower', pick: async () => (await etcdMembers()).followers[0] },
  { fault: 'etcd leader', pick: async () => (await etcdMembers()).leader },
  { fault: 'redis', pick: async () => cluster.component('redis') },
  {
    fault: 'instance of the busiest watch',
    pick: async () => {
      const { backends } = await lbStats(cluster.dir);
      const busiest = backends.reduce((a, b) => (b.openWatches > a.openWatches ? b : a));
      return cluster.byRole('apiserver').find((c) => new URL(c.url).origin === busiest.url)!;
    },
  },
  {
    fault: 'fan-out publisher\'s instance',
    pick: async () => {
      const instances = cluster.byRole('apiserver');
      const publishing = await Promise.all(instances.map((c) => fanoutPublisher(c)));
      const publisher = instances.filter((_, i) => publishing[i]);
      if (publisher.length !== 1) throw new Error(`${publisher.length} fan-out publishers`);
      return publisher[0];
    },
  },
];

function table(baseline: WindowFigures, results: FaultResult[]): string {
  const head = ['fault', 'victim', 'recovered', 'failed reads', 'failed writes', 'requests', 'write p50', 'write p99', 'read p99'];
  const rows = [
    ['(steady, before faults)', '', '', `${baseline.failedReads}/${baseline.reads}`, `${baseline.failedWrites}/${baseline.writes}`, String(baseline.totalRequests), `${baseline.writeP50Ms} ms`, `${baseline.writeP99Ms} ms`, `${baseline.readP99Ms} ms`],
    ...results.map((r) => [r.fault, r.victim === r.publisher ? `${r.victim} (publisher)` : r.victim, `${(r.recoveredMs / 1000).toFixed(1)} s`, `${r.failedReads}/${r.reads} (${r.defectReads} defect; max ${r.maxFailedReads})`,
      `${r.failedWrites}/${r.writes} (${r.defectWrites} defect; max ${r.maxFailedWrites})`, String(r.totalRequests), `${r.writeP50Ms} ms`, `${r.writeP99Ms} ms`, `${r.readP99Ms} ms`]),
  ];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

/** The faults one after another under the load, then sentinels, then etcd's history of it all. */
async function runFaults(): Promise<void> {
  const t0 = Date.now();
  await writesFlowing(t0, 40, 'steady load before the faults');
  baseline = figures(load.requests, t0, Date.now());

  const windows: Array<Pick<FaultResult, 'fault' | 'victim' | 'publisher' | 'oldPid' | 'newPid' | 'killedAt' | 'recoveredAt'>> = [];
  for (const { fault, pick } of faults) {
    const victim = await pick();
    const instances = cluster.byRole('apiserver');
    const publishing = await Promise.all(instances.map((c) => fanoutPublisher(c).catch(() => false)));
    const publisher = instances.find((_, i) => publishing[i])?.name;
    cluster.remember();
    const killedAt = Date.now();
    cluster.kill(victim);
    // The supervisor alone brings it back: a new pid in state.json, and everything ready again.
    await eventually(() => {
      const now = cluster.component(victim.name);
      return now.pid !== victim.pid && !gone(now.pid);
    }, { what: `${victim.name} restarted under a new pid`, timeoutMs: 60000 }).catch((e: Error) => {
      // The cluster directory goes with the test: say here why the component did not come back.
      throw new Error(`${e.message}\n--- ${victim.name}.log (end):\n${cluster.log(victim.name).slice(-4000)}\n--- launcher.log (end):\n${cluster.log('launcher').slice(-2000)}`);
    });
    await waitReady(`everything ready after killing ${victim.name}`, 90000);
    const recoveredAt = Date.now();
    cluster.remember();
    windows.push({ fault, victim: victim.name, publisher, oldPid: victim.pid, newPid: cluster.component(victim.name).pid, killedAt, recoveredAt });
    await writesFlowing(recoveredAt, 16, `writes acknowledged again after ${fault}`);
  }
  await load.stop();
  // A request counts in the first fault window it overlaps (a write stuck 5 s in an election is the election's).
  const overlaps = (q: RequestRecord, w: { killedAt: number; recoveredAt: number }) => q.start < w.recoveredAt && q.end >= w.killedAt;
  for (const [i, w] of windows.entries()) {
    const mine = load.requests.filter((q) => !windows.slice(0, i).some((earlier) => overlaps(q, earlier)));
    const excused = (q: RequestRecord) => memberDown(q) || cacheBehind(q) || (w.fault.startsWith('etcd') && noInstanceReady(q));
    const f = figures(mine, w.killedAt, w.recoveredAt, excused);
    results.push({ ...w, recoveredMs: w.recoveredAt - w.killedAt, ...f, maxFailedReads: bounds[w.fault].reads(f), maxFailedWrites: bounds[w.fault].writes(f) });
  }

  const text = [
    `chaos: kill -9 under load through the LB (3 etcd members, Redis, 3 API servers, LB; 4 writers x 8/s, 2 readers x 8/s, ${selections.length} watchers)`,
    table(baseline, results),
  ].join('\n');
  console.log(text);
  const dir = path.join(repoRoot, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  writeFileSync(path.join(dir, `chaos-${stamp}.json`), JSON.stringify({ date: new Date().toISOString(), baseline, faults: results }, null, 2) + '\n');
  writeFileSync(path.join(dir, 'chaos-latest.txt'), text + '\n');

  // Sentinels, written last: a watcher that has seen those of its selection has seen everything before.
  for (const ns of namespaces) for (const color of colors) {
    sentinels.push(await api(cluster.lbUrl, 'POST', `/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: `zz-${color}`, labels: { color } } }));
  }
  const lastRv = Math.max(...sentinels.map((o) => Number(o.metadata.resourceVersion)));
  history = await etcdHistory(cluster.byRole('etcd').map((c) => c.url), listRv, lastRv);
}

it('brings every killed component back by itself, under a new pid, ready', () => {
  expect(results.map((r) => r.fault)).toEqual(faults.map((f) => f.fault));
  for (const r of results) {
    expect(r.newPid, `${r.victim} restarted`).not.toBe(r.oldPid);
    expect(cluster.log('launcher')).toContain(`${r.victim} exited (SIGKILL); restarting in`);
  }
});

it('keeps every acknowledged write: in etcd at the revision acknowledged, and in a consistent LIST through the LB', async () => {
  const acked = load.ackedWrites();
  expect(acked.length).toBeGreaterThan(200);
  const bySeq = new Map(history.filter((e) => e.object?.data?.seq).map((e) => [e.object.data.seq as string, e]));
  const lost = acked.filter((w) => {
    const e = bySeq.get(w.seq);
    return !e || e.key !== w.key || e.rv !== w.rv;
  });
  expect(lost.map((w) => `${w.verb} ${w.key} ${w.seq} rv ${w.rv}`)).toEqual([]);
  // Nothing in etcd that no one wrote, nothing applied twice: a seq not acknowledged is a write that failed.
  const attempted = new Set(load.writes.map((w) => w.seq));
  const seqs = history.filter((e) => e.object?.data?.seq).map((e) => e.object.data.seq as string);
  expect(seqs.filter((s) => !attempted.has(s))).toEqual([]);
  expect(seqs.length).toBe(new Set(seqs).size);

  // A consistent LIST through the LB and etcd itself agree on the final state.
  const lastRv = Math.max(...sentinels.map((o) => Number(o.metadata.resourceVersion)));
  const listed = await api(cluster.lbUrl, 'GET', '/api/v1/configmaps');
  expect(Number(listed.metadata.resourceVersion)).toBeGreaterThanOrEqual(lastRv);
  const stored = await etcdState(cluster.byRole('etcd').map((c) => c.url));
  expect(new Map(listed.items.map((o: any) => [key(o), o.metadata.resourceVersion]))).toEqual(new Map([...stored].map(([k, v]) => [k, v.rv])));
  for (const w of acked) expect(Number(stored.get(w.key)?.rv)).toBeGreaterThanOrEqual(Number(w.rv));
});

it('gives every watcher its selection exactly once, in resourceVersion order, across every fault', async () => {
  await Promise.all(watchers.map((wch, i) => {
    const want = sentinels.filter((o) => matches(selections[i], o)).map(key);
    return wch.until((evs) => want.every((k) => evs.some((e) => key(e.object) === k)), `sentinels of watcher ${selections[i].name}`, 60000);
  }));
  for (const [i, s] of selections.entries()) {
    const got = seen(watchers[i].events);
    const rvs = got.map((g) => Number(g[2]));
    expect(rvs, `watcher ${s.name} in resourceVersion order`).toEqual([...rvs].sort((a, b) => a - b));
    expect(got, `watcher ${s.name}`).toEqual(expectedFor(s, history, initial));
  }
  expect(watchers[0].events.length).toBeGreaterThan(200);
  // The busiest watch's instance was killed under them: the LB carried watches over.
  expect((await lbStats(cluster.dir)).watches.resumed).toBeGreaterThan(0);
});

it('keeps failed requests under the bounds during every fault, and none fails outside the faults', () => {
  for (const r of results) {
    const why = `during ${r.fault}: ${JSON.stringify(r.errors)}`;
    expect(r.failedReads - r.defectReads, `failed reads ${why}`).toBeLessThanOrEqual(r.maxFailedReads);
    expect(r.failedWrites - r.defectWrites, `failed writes ${why}`).toBeLessThanOrEqual(r.maxFailedWrites);
  }
  const outside = load.requests.filter((q) => !q.ok && !memberDown(q) && !cacheBehind(q) && !results.some((r) => q.start < r.recoveredAt && q.end >= r.killedAt));
  expect(outside.map((q) => `${q.kind} at ${new Date(q.start).toISOString()}: ${q.error}`)).toEqual([]);
});

// DEFECT (server/storage/etcd3/etcd3.ts): the API server's etcd client is built with
// `faultHandling.global` a no-op, so a call that lands on a dead member is not tried on another: while
// one member of three is down, about a third of etcd calls fail with 503 "etcd is unavailable: 14
// UNAVAILABLE: No connection established ... ECONNREFUSED", although a quorum serves (kube-apiserver's
// clientv3 moves to another endpoint). The /readyz etcd check uses the same client, so instances
// also go unready at random, and when all are at once the LB answers 503 "no API server instance is
// ready". Every run today has some. Remove `.fails` once fixed.
it('fails no request for want of trying another etcd member while one is down', () => {
  const perFault = results.map((r) => ({ fault: r.fault, reads: r.defectReads, writes: r.defectWrites }));
  expect(perFault.filter((m) => m.reads + m.writes > 0)).toEqual([]);
  expect(load.requests.filter(memberDown).map((q) => `${q.kind} at ${new Date(q.start).toISOString()}: ${q.error}`)).toEqual([]);
});

// DEFECT (server/storage/cacher/cacher.ts, waitUntilFresh): a consistent read (GET or LIST without
// resourceVersion) served from the watch cache waits for the cache to reach etcd's current revision;
// when the fan-out publisher dies, the Redis stream stalls until its election lease (5 s) runs out, so
// every such read on every instance waits the full 3 s of WatchCache.waitFor, and a read whose wait
// ends with the cache still behind gets 504 "Too large resource version" instead of being served from
// etcd, as kube-apiserver's cacher delegator does (storage.IsTooLargeResourceVersion: fall back to
// etcd). Every publisher kill today shows the stall. Remove `.fails` once fixed.
it('serves consistent reads without stalling or failing while the fan-out publisher is replaced', () => {
  const r = results.find((x) => x.fault === 'fan-out publisher\'s instance')!;
  expect(load.requests.filter(cacheBehind).map((q) => `${q.kind} at ${new Date(q.start).toISOString()}: ${q.error}`)).toEqual([]);
  expect(r.readP99Ms, 'read p99 while the publisher is replaced').toBeLessThan(2000);
});
