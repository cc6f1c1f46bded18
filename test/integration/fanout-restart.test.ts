// Finding 11: `npm stop` + `npm start` with a large history. Redis comes back empty, the first
// instance's publisher starts the stream at etcd's revision, and an instance whose cache starts
// further back (its history replay) must not take the empty stream for one that continues from
// there: it would sit at that old revision, ready but serving nothing written before, until a write
// arrives — with RBAC on, not even /readyz is allowed, so the start never finishes.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Etcd3 } from 'etcd3';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultFanoutOptions, type FanoutOptions, streamKey } from '../../server/fanout/options.js';
import { FanoutPublisher } from '../../server/fanout/publisher.js';
import { RedisStreamFeed } from '../../server/fanout/stream-feed.js';
import { EtcdWatchFeed } from '../../server/storage/cacher/etcd-feed.js';
import type { FeedBatch } from '../../server/storage/cacher/feed.js';
import { registryRoot } from '../../server/storage/cacher/watch-cache.js';
import { type ApiServerProcess, type Etcd, startApiServer, startEtcd } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { startRedis, type RedisServer } from '../support/redis.js';
import { api } from '../support/watch.js';

let dir: string;
let etcd: Etcd;
let redis: RedisServer;
const servers: ApiServerProcess[] = [];
const configmaps = '/api/v1/namespaces/history/configmaps';
/** The big ConfigMap's last resourceVersion and the small ones' count, as written before the restart. */
let bigRevision = '';
const small = 200;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kats-fanout-restart-'));
  etcd = await startEtcd(dir);
  redis = await startRedis();
  // The history: several ~900 KB ConfigMap updates and many small writes, through a first instance.
  const first = await startApiServer(etcd.url, [`--redis-url=${redis.url}`, '--instance-name=first']);
  servers.push(first);
  await api(first.url, 'POST', '/api/v1/namespaces', { metadata: { name: 'history' } });
  const blob = 'x'.repeat(900 * 1024);
  let big = await api(first.url, 'POST', configmaps, { metadata: { name: 'big' }, data: { blob, v: '0' } });
  for (let i = 1; i <= 5; i++) big = await api(first.url, 'PUT', `${configmaps}/big`, { ...big, data: { blob, v: String(i) } });
  bigRevision = big.metadata.resourceVersion;
  for (let i = 0; i < small; i++) await api(first.url, 'POST', configmaps, { metadata: { name: `small-${i}` }, data: { i: String(i) } });
  await first.stop();
  servers.length = 0;
  // As `npm stop` / `npm start`: Redis keeps nothing on disk, so it comes back empty.
  await redis.kill();
  await redis.restart();
}, 180000);

afterAll(async () => {
  for (const s of servers) await s.stop();
  await redis?.stop();
  await etcd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('restarting on an empty fan-out stream with a large history', () => {
  it('the publisher marks where its new chain begins; a reader from an older revision is refused', async () => {
    // A key prefix of its own (the election key is shared: it steps down before the next test).
    const opts: FanoutOptions = { ...defaultFanoutOptions, keyPrefix: 'restart-test:', redisUrl: redis.url, instanceName: 'in-process' };
    const client = new Etcd3({ hosts: etcd.url });
    // Lazy, as the server's: the stream reader's duplicate connects when it starts reading.
    const commands = new Redis(redis.url, { lazyConnect: true });
    await commands.connect();
    const publisher = new FanoutPublisher(client, commands, () => new EtcdWatchFeed(client, registryRoot), opts, () => undefined);
    const feed = new RedisStreamFeed(commands, opts);
    try {
      publisher.start();
      await eventually(() => publisher.isLeader(), { what: 'the in-process publisher to lead', timeoutMs: 20000 });
      const current = Number((await client.get('/registry/none').exec()).header.revision);

      // A cache that starts 10000 revisions back (its history replay) cannot follow this stream...
      await expect(feed.follow(1, { batch: () => undefined, error: () => undefined })).rejects.toThrow(/does not reach back to revision 1/);
      // ...because, nothing published yet, the stream holds the start of the chain at etcd's revision.
      const entries = await commands.xrange(streamKey(opts), '-', '+');
      expect(entries.map(([id, fields]) => [id, fields[fields.indexOf('p') + 1]])).toEqual([[`${current}-0`, String(current)]]);

      // A reader at etcd's revision follows it, and gets the next write chained to it.
      const batches: FeedBatch[] = [];
      const errors: Error[] = [];
      await feed.follow(current, { batch: (b) => batches.push(b), error: (e) => errors.push(e) });
      await client.put('/registry/restart-test/after').value('1').exec();
      await eventually(() => batches.length > 0, { what: 'the write after the restart through the stream', timeoutMs: 10000 });
      expect(errors).toEqual([]);
      expect(batches[0].prevRevision).toBe(current);
      expect(batches[0].events.map((e) => e.key)).toEqual(['/registry/restart-test/after']);
    } finally {
      await feed.stop();
      await publisher.stop();
      commands.disconnect();
      client.close();
    }
  }, 60000);

  it('every restarted instance serves the whole history soon after it is ready, and ends on the stream', async () => {
    const started = Date.now();
    servers.push(await startApiServer(etcd.url, [`--redis-url=${redis.url}`, '--instance-name=restart-1']));
    // The others start once the first publishes: their caches start older than the stream.
    for (let i = 2; i <= 3; i++) servers.push(await startApiServer(etcd.url, [`--redis-url=${redis.url}`, `--instance-name=restart-${i}`]));
    const readyAfter = Date.now() - started;
    for (const s of servers) {
      // resourceVersion=0: from the watch cache as it is, so a cache stuck before the history shows.
      await eventually(async () => {
        const list = await api(s.url, 'GET', `${configmaps}?resourceVersion=0`);
        const big = list.items.find((i: { metadata: { name: string } }) => i.metadata.name === 'big');
        return list.items.length === small + 1 && big?.metadata.resourceVersion === bigRevision;
      }, { what: `${s.url}'s cache to hold the history`, timeoutMs: 10000 });
    }
    // The stream carries the caches again, from where each reached through etcd (no replay of the history).
    await eventually(async () => {
      const modes = await Promise.all(servers.map(async (s) => /kube_apiserver_ts_watch_feed_mode\{mode="redis"\} 1/.test(await (await fetch(`${s.url}/metrics`)).text())));
      return modes.every(Boolean);
    }, { what: 'every instance back on the stream', timeoutMs: 20000 });
    const commands = new Redis(redis.url);
    try {
      expect(await commands.xlen(streamKey(defaultFanoutOptions))).toBeLessThan(10);
    } finally {
      commands.disconnect();
    }
    expect(readyAfter).toBeLessThan(45000);
  }, 180000);
});
