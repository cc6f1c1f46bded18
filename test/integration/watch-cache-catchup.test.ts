// The watch cache catching up on a long backlog: etcd sends it in batches of up to 1000 revisions,
// each stamped with etcd's *current* revision. The cache must only claim the revisions it has
// applied, or consistent reads and new watches in between would skip the rest of the backlog.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { repoRoot, startApiServer, startEtcd, type Etcd } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { api, openWatch } from '../support/watch.js';

let etcd: Etcd;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kats-catchup-'));
  etcd = await startEtcd(dir);
});
afterAll(async () => {
  await etcd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('claims only the revisions it has applied while replaying a backlog of more than 1000 revisions', async () => {
  const { EtcdStorage } = await import(path.join(repoRoot, 'dist/server/storage/etcd3/etcd3.js'));
  const { WatchCache } = await import(path.join(repoRoot, 'dist/server/storage/cacher/watch-cache.js'));
  // 2500 revisions under /registry/ written through a real API server.
  const server = await startApiServer(etcd.url);
  try {
    await api(server.url, 'POST', '/api/v1/namespaces', { metadata: { name: 'catchup' } });
    let cm = await api(server.url, 'POST', '/api/v1/namespaces/catchup/configmaps', { metadata: { name: 'c' }, data: { i: '0' } });
    const first = Number(cm.metadata.resourceVersion);
    const writers = Array.from({ length: 10 }, (_, w) => (async () => {
      for (let i = 0; i < 250; i++) await api(server.url, 'POST', '/api/v1/namespaces/catchup/configmaps', { metadata: { name: `k-${w}-${i}` } });
    })());
    await Promise.all(writers);
    cm = await api(server.url, 'PUT', '/api/v1/namespaces/catchup/configmaps/c', { ...cm, data: { i: 'last' } });
    const last = Number(cm.metadata.resourceVersion);
    expect(last - first).toBeGreaterThan(2000);

    // A fresh cache whose history starts before all of it replays the whole backlog.
    const storage = new EtcdStorage({ endpoints: [etcd.url], requestTimeoutMs: 5000 });
    const cache = new WatchCache(storage, { historySize: last - first + 10 });
    const claimed: Array<[number, number]> = [];
    let applied = 0;
    cache.subscribe((events: Array<{ revision: number }>) => {
      applied += events.length;
      claimed.push([cache.revision, events[events.length - 1].revision]);
    });
    let held: number | undefined;
    try {
      await cache.start();
      await eventually(() => cache.revision >= last, { timeoutMs: 20000, intervalMs: 20, what: `the fresh cache to reach revision ${last}` });
      // Once the cache claims the last write's revision, it must hold that write (what a consistent read relies on).
      held = cache.get('/registry/configmaps/catchup/c')?.modRevision;
      await eventually(() => applied > 2500, { timeoutMs: 20000, intervalMs: 20, what: 'the fresh cache to apply the whole backlog' });
    } finally {
      await cache.stop();
      storage.close();
    }
    expect(held).toBe(last);
    // After each batch, the cache's revision is that of the last event it applied.
    expect(claimed.length).toBeGreaterThan(1);
    for (const [rev, lastEvent] of claimed) expect(rev).toBe(lastEvent);
    expect(applied).toBeGreaterThan(2500);

    // End to end: a watch resuming from before the backlog on a new server gets every event.
    const restarted = await startApiServer(etcd.url);
    try {
      const w = await openWatch(`${restarted.url}/api/v1/namespaces/catchup/configmaps?watch=true&resourceVersion=${first}`);
      await w.until((evs) => evs.some((e) => e.object.data?.i === 'last'), 'the last write');
      w.stop();
      expect(w.events.filter((e) => e.type === 'ADDED')).toHaveLength(2500);
    } finally {
      await restarted.stop();
    }
  } finally {
    await server.stop();
  }
});
