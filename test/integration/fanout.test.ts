// Watch fan-out through Redis with real etcd, real Redis and three API server processes: one etcd
// watch for /registry/ (the elected publisher's), every cache fed from the stream, fallback to
// etcd with Redis gone or the publisher killed, and back — a watcher sees every event exactly once.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiServerProcess, type Etcd, startApiServer, startEtcd } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { startRedis, type RedisServer } from '../support/redis.js';
import { api, openWatch } from '../support/watch.js';

let dir: string;
let etcd: Etcd;
let redis: RedisServer;
const servers: ApiServerProcess[] = [];

function waitUntil(what: string, cond: () => Promise<boolean> | boolean, timeoutMs = 30000): Promise<void> {
  return eventually(cond, { what, timeoutMs });
}

/** The instance's own metrics: which source feeds its watch cache, and whether it publishes. */
async function feedState(s: ApiServerProcess): Promise<{ mode: string; leader: boolean }> {
  const text = await (await fetch(`${s.url}/metrics`)).text();
  const mode = /kube_apiserver_ts_watch_feed_mode\{mode="(\w+)"\} 1/.exec(text)?.[1] ?? 'unknown';
  const leader = /kube_apiserver_ts_fanout_publisher_leader 1/.test(text);
  return { mode, leader };
}

/** etcd's own count of watchers on /registry/ (kube's watch cache and ours show up the same). */
async function etcdWatchers(): Promise<number> {
  const text = await (await fetch(`${etcd.url}/metrics`)).text();
  return Number(/^etcd_debugging_mvcc_watcher_total (\d+)/m.exec(text)?.[1] ?? NaN);
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kats-fanout-'));
  etcd = await startEtcd(dir);
  redis = await startRedis();
  for (let i = 0; i < 3; i++) servers.push(await startApiServer(etcd.url, [`--redis-url=${redis.url}`, `--instance-name=fanout-${i}`]));
}, 120000);

afterAll(async () => {
  for (const s of servers) await s.stop();
  await redis?.stop();
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('watch fan-out through Redis', () => {
  it('elects one publisher and feeds every instance from the stream', async () => {
    await waitUntil('every instance on the stream, one publisher', async () => {
      const states = await Promise.all(servers.map(feedState));
      return states.every((s) => s.mode === 'redis') && states.filter((s) => s.leader).length === 1;
    });
    // etcd serves one watch for the whole control plane: the publisher's.
    expect(await etcdWatchers()).toBe(1);
    // Without --redis-stream-key-file entries are taken unchecked, and each instance says so.
    for (const s of servers) expect(s.logs()).toMatch(/stream entries are not authenticated/);
    const ns = 'fanout-a';
    await api(servers[0].url, 'POST', '/api/v1/namespaces', { metadata: { name: ns } });
    const watch = await openWatch(`${servers[2].url}/api/v1/namespaces/${ns}/configmaps?watch=true&resourceVersion=0`);
    for (let i = 0; i < 20; i++) await api(servers[i % 3].url, 'POST', `/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: `c${i}` } });
    await watch.until((evs) => evs.length >= 20, '20 events through the stream');
    expect(watch.events.map((e) => e.object.metadata.name)).toEqual(Array.from({ length: 20 }, (_, i) => `c${i}`));
    // A consistent read on every instance sees the last write at once.
    for (const s of servers) expect((await api(s.url, 'GET', `/api/v1/namespaces/${ns}/configmaps`)).items).toHaveLength(20);
    watch.stop();
  });

  it('keeps every watcher whole through Redis dying and coming back, and a killed publisher', async () => {
    const ns = 'fanout-b';
    await api(servers[0].url, 'POST', '/api/v1/namespaces', { metadata: { name: ns } });
    const watchers = await Promise.all(servers.map((s) => openWatch(`${s.url}/api/v1/namespaces/${ns}/configmaps?watch=true&resourceVersion=0`)));
    let n = 0;
    const write = async (via: ApiServerProcess) => api(via.url, 'POST', `/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: `w${n++}` } });

    for (let i = 0; i < 5; i++) await write(servers[i % 3]);
    await redis.kill();
    for (let i = 0; i < 5; i++) await write(servers[i % 3]);
    await waitUntil('every instance on its own etcd watch', async () => (await Promise.all(servers.map(feedState))).every((s) => s.mode === 'etcd'));
    for (let i = 0; i < 5; i++) await write(servers[i % 3]);
    await redis.restart();
    await waitUntil('every instance back on the stream', async () => (await Promise.all(servers.map(feedState))).every((s) => s.mode === 'redis'));
    for (let i = 0; i < 5; i++) await write(servers[i % 3]);

    // The publisher dies: another is elected, the others carry on (on etcd meanwhile) and return.
    const states = await Promise.all(servers.map(feedState));
    const leader = states.findIndex((s) => s.leader);
    expect(leader).toBeGreaterThanOrEqual(0);
    const survivors = servers.filter((_, i) => i !== leader);
    servers[leader].process.kill('SIGKILL');
    for (let i = 0; i < 5; i++) await write(survivors[i % 2]);
    await waitUntil('a new publisher, the survivors on the stream', async () => {
      const s = await Promise.all(survivors.map(feedState));
      return s.some((x) => x.leader) && s.every((x) => x.mode === 'redis');
    }, 60000);
    for (let i = 0; i < 5; i++) await write(survivors[i % 2]);

    const names = Array.from({ length: n }, (_, i) => `w${i}`);
    for (const [i, w] of watchers.entries()) {
      if (i === leader) continue;
      await w.until((evs) => evs.length >= n, `${n} events on instance ${i}`);
      expect(w.events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(names.map((x) => `ADDED ${x}`));
      w.stop();
    }
    watchers[leader].stop();
    servers.splice(leader, 1);
    await waitUntil('one etcd watch again, the new publisher\'s', async () => (await etcdWatchers()) === 1);
  }, 180000);
});
