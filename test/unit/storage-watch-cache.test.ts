// The watch cache proves it has every revision: a batch that does not follow the last one, or a
// broken feed, makes it unready at once; it resumes from the last revision it applied, or rebuilds.
import { describe, expect, it, vi } from 'vitest';
import type { StoredValue } from '../../server/storage/interface.js';
import type { EventFeed, FeedHandlers } from '../../server/storage/cacher/feed.js';
import { type SnapshotSource, WatchCache } from '../../server/storage/cacher/watch-cache.js';

class FakeEtcd implements SnapshotSource {
  values = new Map<string, StoredValue>();
  revision = 10;
  async range(): Promise<{ items: StoredValue[]; more: boolean }> {
    return { items: [...this.values.values()], more: false };
  }
  async currentRevision(): Promise<number> {
    return this.revision;
  }
}

class FakeFeed implements EventFeed {
  follows: number[] = [];
  handlers?: FeedHandlers;
  async follow(afterRevision: number, handlers: FeedHandlers): Promise<void> {
    this.follows.push(afterRevision);
    this.handlers = handlers;
  }
  async stop(): Promise<void> {
    this.handlers = undefined;
  }
  put(key: string, rev: number, prevRevision: number): void {
    this.handlers!.batch({ events: [{ type: 'put', key, value: Buffer.from('{}'), modRevision: rev, createRevision: rev }], prevRevision });
  }
}

async function setup() {
  vi.spyOn(console, 'error').mockImplementation(() => undefined);
  const etcd = new FakeEtcd();
  const feed = new FakeFeed();
  const cache = new WatchCache(etcd, { historySize: 0, feed });
  await cache.start();
  let resets = 0;
  cache.onReset(() => resets++);
  return { etcd, feed, cache, resets: () => resets };
}

describe('watch cache revision continuity', () => {
  it('applies batches that follow each other', async () => {
    const { feed, cache } = await setup();
    expect(feed.follows).toEqual([10]);
    feed.put('/registry/a', 11, 10);
    feed.put('/registry/b', 13, 11);
    expect(cache.revision).toBe(13);
    expect(cache.ready).toBe(true);
    expect(cache.get('/registry/b')?.modRevision).toBe(13);
  });

  it('a batch that does not follow the last applied revision means unready and a rebuild from a snapshot', async () => {
    const { etcd, feed, cache, resets } = await setup();
    feed.put('/registry/a', 11, 10);
    etcd.values.set('/registry/a', { key: '/registry/a', value: Buffer.from('{}'), modRevision: 11, createRevision: 11 });
    etcd.values.set('/registry/b', { key: '/registry/b', value: Buffer.from('{}'), modRevision: 14, createRevision: 14 });
    etcd.revision = 20;
    feed.put('/registry/c', 15, 14);
    expect(cache.ready).toBe(false);
    expect(cache.get('/registry/c')).toBeUndefined();
    await vi.waitFor(() => expect(cache.ready).toBe(true));
    expect(resets()).toBe(1);
    expect(feed.follows).toEqual([10, 20]);
    expect(cache.get('/registry/b')?.modRevision).toBe(14);
    expect(cache.revision).toBe(20);
  });

  it('a broken feed means unready at once, then a resume from the last applied revision, keeping watches', async () => {
    const { feed, cache, resets } = await setup();
    feed.put('/registry/a', 11, 10);
    const handlers = feed.handlers!;
    handlers.error(new Error('etcd watch disconnected: RESOURCE_EXHAUSTED'));
    expect(cache.ready).toBe(false);
    await vi.waitFor(() => expect(cache.ready).toBe(true));
    expect(feed.follows).toEqual([10, 11]);
    expect(resets()).toBe(0);
    feed.put('/registry/b', 12, 11);
    expect(cache.revision).toBe(12);
  });

  it('a feed that breaks again without progress is rebuilt instead of resumed forever', async () => {
    const { etcd, feed, cache, resets } = await setup();
    feed.put('/registry/a', 11, 10);
    feed.handlers!.error(new Error('disconnected'));
    await vi.waitFor(() => expect(feed.follows).toEqual([10, 11]));
    etcd.revision = 30;
    feed.handlers!.error(new Error('disconnected'));
    await vi.waitFor(() => expect(cache.ready).toBe(true));
    await vi.waitFor(() => expect(feed.follows).toEqual([10, 11, 30]));
    expect(resets()).toBe(1);
  });
});
