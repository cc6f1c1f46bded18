// The watch cache: an in-memory copy of everything under /registry/, fed by an ordered event feed
// (one etcd watch today). GET and LIST are served from it; watches replay its bounded event history
// and follow its live events.
// Invariants: `revision` is claimed only for what was applied; every batch must follow the last
// revision the feed delivered (a gap or a broken feed means resync, unready until proven whole).
import { errors } from '../../api/errors.js';
import type { StoredValue } from '../interface.js';
import { EtcdWatchFeed } from './etcd-feed.js';
import type { EventFeed, FeedBatch } from './feed.js';
import { logger } from '../../logging/logger.js';

export const registryRoot = '/registry/';

/** How long a consistent read waits for the cache before it is served from etcd instead (kube: 3 s). */
export const consistentReadWaitMs = 1000;

/** One key as the cache holds it: etcd's bytes, and lazily the parsed object and encodings. */
export type CacheEntry = StoredValue;

/** Where the cache loads snapshots and learns etcd's revision (the etcd3 storage). */
export interface SnapshotSource {
  range(prefix: string, start: string, limit: number, revision: number): Promise<{ items: StoredValue[]; more: boolean }>;
  currentRevision(): Promise<number>;
}

export type CacheEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface CacheEvent {
  type: CacheEventType;
  key: string;
  /** The new state; for DELETED the last state, with modRevision = the revision of the delete. */
  entry: CacheEntry;
  /** The state before this event (absent for ADDED). */
  prev?: CacheEntry;
  revision: number;
}

export type CacheListener = (events: CacheEvent[]) => void;

export interface WatchCacheOptions {
  /** Events kept for resuming watches. */
  historySize?: number;
  /** Bytes of object values the history may hold (default 64 MiB). */
  maxHistoryBytes?: number;
  /** Where events come from (default: one etcd watch on /registry/). */
  feed?: EventFeed;
}

/** Sorted keys under one prefix, kept up to date as events arrive. */
class PrefixIndex {
  keys: string[] = [];
  constructor(readonly prefix: string) {}

  add(key: string): void {
    const i = lowerBound(this.keys, key);
    if (this.keys[i] !== key) this.keys.splice(i, 0, key);
  }

  remove(key: string): void {
    const i = lowerBound(this.keys, key);
    if (this.keys[i] === key) this.keys.splice(i, 1);
  }
}

export function lowerBound(keys: string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (keys[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class WatchCache {
  private byKey = new Map<string, CacheEntry>();
  private indexes = new Map<string, PrefixIndex>();
  private history: CacheEvent[] = [];
  /** Revision of the oldest state the history can replay from (events after it are all kept). */
  private historyStart = 0;
  private readonly historySize: number;
  private readonly maxHistoryBytes: number;
  private historyBytes = 0;
  /** The etcd revision the cache reflects. */
  revision = 0;
  /** The last revision the feed delivered: the next batch must follow it. */
  private feedRevision = 0;
  private readonly feed: EventFeed;
  private readonly listeners = new Set<CacheListener>();
  private readonly resetListeners = new Set<() => void>();
  private waiters: Array<{ rev: number; resolve: () => void }> = [];
  private readyPromise?: Promise<void>;
  private recovering?: Promise<void>;
  /** feedRevision at the last resume: failing again with no progress means rebuild instead. */
  private resumedAt = -1;
  /** Counts feed failures, so a follow that completes after one does not claim readiness. */
  private feedFailures = 0;
  private failedWhileRecovering?: Error;
  private stopped = false;
  /** False until the cache follows its feed with every revision accounted for, and while it recovers. */
  ready = false;

  constructor(private readonly source: SnapshotSource, opts: WatchCacheOptions = {}) {
    this.historySize = opts.historySize ?? 10000;
    this.maxHistoryBytes = opts.maxHistoryBytes ?? 64 * 1024 * 1024;
    this.feed = opts.feed ?? new EtcdWatchFeed((source as unknown as { client: ConstructorParameters<typeof EtcdWatchFeed>[0] }).client, registryRoot);
  }

  start(): Promise<void> {
    this.readyPromise ??= this.load(true);
    return this.readyPromise;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.ready = false;
    await this.feed.stop().catch(() => undefined);
  }

  /** Loads the snapshot and starts following the feed; retries until etcd answers. */
  private async load(first: boolean): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        // After a failure, start at the newest revision: no replay that could fail the same way again.
        await this.loadOnce(first && attempt === 0);
        return;
      } catch (e) {
        if (this.stopped) return;
        if (attempt % 10 === 0) logger.error(`watch cache: cannot load (${(e as Error).message}); retrying`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  private async loadOnce(replay: boolean): Promise<void> {
    this.ready = false;
    const current = await this.source.currentRevision();
    // On start, begin the history some revisions back, so a watch from a resourceVersion a client saw
    // before this instance started (or restarted) can still be resumed without a relist.
    let from = replay ? Math.max(1, current - this.historySize) : current;
    let snapshot: Map<string, CacheEntry> | undefined;
    while (!snapshot) {
      try {
        snapshot = await this.snapshotAt(from);
      } catch (e) {
        if (!/compacted|too old/i.test((e as Error).message) || from >= current) throw e;
        from = Math.min(current, from + Math.max(1, Math.ceil((current - from) / 2)));
      }
    }
    this.byKey = snapshot;
    for (const index of this.indexes.values()) this.rebuildIndex(index);
    this.history = [];
    this.historyBytes = 0;
    this.historyStart = from;
    this.revision = Math.min(this.revision, from);
    this.bumpRevision(from);
    this.feedRevision = from;
    await this.follow();
  }

  private async snapshotAt(revision: number): Promise<Map<string, CacheEntry>> {
    const out = new Map<string, CacheEntry>();
    let start = registryRoot;
    for (;;) {
      const page = await this.source.range(registryRoot, start, 5000, revision);
      // Copy: values are views into the whole gRPC response, which would otherwise stay alive.
      for (const sv of page.items) out.set(sv.key, { ...sv, value: Buffer.from(sv.value) });
      if (!page.more || !page.items.length) return out;
      start = page.items[page.items.length - 1].key + '\x00';
    }
  }

  /** Follows the feed from the last revision it delivered; ready once connected, unless it broke meanwhile. */
  private async follow(): Promise<void> {
    const epoch = this.feedFailures;
    await this.feed.follow(this.feedRevision, {
      batch: (b) => this.apply(b),
      error: (err) => this.feedFailed(err),
    });
    if (!this.stopped && epoch === this.feedFailures) this.ready = true;
  }

  private feedFailed(err: Error): void {
    this.feedFailures++;
    this.ready = false;
    void this.recover(err);
  }

  /**
   * The feed broke: unready at once (reads go to etcd, readyz fails). Resume from the last revision
   * delivered, which etcd replays whole; if that fails too (compacted, or broken again with no
   * progress), rebuild. A failure during a recovery is handled once the recovery ends.
   */
  private recover(err: Error): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.recovering) {
      this.failedWhileRecovering = err;
      return this.recovering;
    }
    this.recovering = (async () => {
      try {
        const before = this.feedRevision;
        if (before === this.resumedAt) {
          logger.error(`watch cache: feed failed again at revision ${before} (${err.message}); rebuilding`);
          await this.resync();
          return;
        }
        logger.error(`watch cache: feed failed (${err.message}); resuming from revision ${before}`);
        this.resumedAt = before;
        try {
          await this.follow();
        } catch (e) {
          logger.error(`watch cache: cannot resume from ${before} (${(e as Error).message}); rebuilding`);
          await this.resync();
        }
      } finally {
        this.recovering = undefined;
      }
      const again = this.failedWhileRecovering;
      this.failedWhileRecovering = undefined;
      if (again && !this.ready) await this.recover(again);
    })();
    return this.recovering;
  }

  /** Rebuild from a fresh snapshot, and end every watch (they cannot be proven gap-free). */
  private async resync(): Promise<void> {
    if (this.stopped) return;
    this.ready = false;
    await this.feed.stop().catch(() => undefined);
    for (const l of this.resetListeners) l();
    this.readyPromise = this.load(false);
    await this.readyPromise;
  }

  private apply(res: FeedBatch): void {
    if (!res.events.length) return;
    // Revision continuity: the batch must follow what was applied, in increasing order.
    let last = this.feedRevision;
    const gap = res.prevRevision !== this.feedRevision || res.events.some((ev) => {
      const ok = ev.modRevision >= last && ev.modRevision > this.feedRevision;
      last = ev.modRevision;
      return !ok;
    });
    if (gap) {
      this.feedFailures++;
      this.ready = false;
      logger.error(`watch cache: feed gap (batch after ${res.prevRevision}, cache at ${this.feedRevision}); rebuilding`);
      void this.resync();
      return;
    }
    // Not etcd's header revision: catching up, etcd sends at most 1000 revisions per response, each
    // stamped with its current revision. The cache has reached only its last event.
    const revision = res.events[res.events.length - 1].modRevision;
    this.feedRevision = revision;
    const batch: CacheEvent[] = [];
    for (const ev of res.events) {
      const key = ev.key;
      const prev = this.byKey.get(key);
      const rev = ev.modRevision;
      if (ev.type === 'delete') {
        if (!prev) continue;
        this.byKey.delete(key);
        for (const index of this.indexes.values()) if (key.startsWith(index.prefix)) index.remove(key);
        const gone: CacheEntry = { ...prev, modRevision: rev, encoded: undefined };
        batch.push({ type: 'DELETED', key, entry: gone, prev, revision: rev });
      } else {
        const entry: CacheEntry = { key, value: ev.value, modRevision: rev, createRevision: ev.createRevision };
        this.byKey.set(key, entry);
        if (!prev) for (const index of this.indexes.values()) if (key.startsWith(index.prefix)) index.add(key);
        batch.push({ type: prev ? 'MODIFIED' : 'ADDED', key, entry, prev, revision: rev });
      }
    }
    for (const e of batch) {
      this.history.push(e);
      this.historyBytes += e.entry.value.length;
    }
    // Bounded by count and by bytes: a burst of large objects must not hold gigabytes of history.
    let drop = Math.max(0, this.history.length - this.historySize);
    let bytes = this.historyBytes;
    for (let i = 0; i < drop; i++) bytes -= this.history[i].entry.value.length;
    while (bytes > this.maxHistoryBytes && drop < this.history.length - 1) bytes -= this.history[drop++].entry.value.length;
    if (drop > 0) {
      this.historyStart = this.history[drop - 1].revision;
      this.history.splice(0, drop);
      this.historyBytes = bytes;
    }
    this.bumpRevision(revision);
    if (batch.length) for (const l of this.listeners) l(batch);
  }

  private bumpRevision(rev: number): void {
    if (rev <= this.revision) return;
    this.revision = rev;
    if (!this.waiters.length) return;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) (w.rev <= rev ? w.resolve() : still.push(w));
    this.waiters = still;
  }

  /**
   * Waits until the cache reflects at least `rev`. Since every write of ours is under /registry/,
   * the watch sees every revision; a revision beyond the last event is reached via a fresh check.
   */
  async waitFor(rev: number, timeoutMs = 3000): Promise<void> {
    await this.start();
    if (this.revision >= rev) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(errors.tooLargeResourceVersion(rev, this.revision));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push({ rev, resolve: done });
    });
  }

  /** A consistent read: learn etcd's current revision (cheap) and wait until the cache has it. */
  async waitFresh(): Promise<void> {
    await this.start();
    const current = await this.nextRevisionCheck();
    if (this.revision >= current) return;
    // Every write of ours is under /registry/, so the feed brings every revision. One it has not
    // brought within the budget means a stalled feed (a publisher being replaced): the
    // ResourceVersionTooLarge this throws sends the read to etcd (the cacher's delegator).
    await this.waitFor(current, consistentReadWaitMs);
  }

  private inFlight?: Promise<number>;
  private queued?: Promise<number>;

  /**
   * etcd's current revision, read after this call was made. Concurrent callers share reads: one
   * that arrives while a read is in flight waits for the next one, which starts after it arrived.
   */
  private nextRevisionCheck(): Promise<number> {
    if (!this.inFlight) {
      this.inFlight = this.source.currentRevision().finally(() => {
        this.inFlight = undefined;
      });
      return this.inFlight;
    }
    if (!this.queued) {
      this.queued = this.inFlight.catch(() => 0).then(() => {
        this.queued = undefined;
        return this.nextRevisionCheck();
      });
    }
    return this.queued;
  }

  get(key: string): CacheEntry | undefined {
    return this.byKey.get(key);
  }

  /** Every key the cache holds (object counts for the metrics). */
  keys(): IterableIterator<string> {
    return this.byKey.keys();
  }

  /** How much the cache holds, for the metrics. */
  stats(): { objects: number; historyEvents: number; historyBytes: number; revision: number } {
    return { objects: this.byKey.size, historyEvents: this.history.length, historyBytes: this.historyBytes, revision: this.revision };
  }

  /** Entries under `prefix` in key order, starting at `start` (inclusive). */
  entries(prefix: string, start = prefix): CacheEntry[] {
    let index = this.indexes.get(prefix);
    if (!index) {
      index = new PrefixIndex(prefix);
      this.rebuildIndex(index);
      this.indexes.set(prefix, index);
    }
    const from = start > prefix ? lowerBound(index.keys, start) : 0;
    const out: CacheEntry[] = [];
    for (let i = from; i < index.keys.length; i++) out.push(this.byKey.get(index.keys[i])!);
    return out;
  }

  private rebuildIndex(index: PrefixIndex): void {
    index.keys = [...this.byKey.keys()].filter((k) => k.startsWith(index.prefix)).sort();
  }

  /**
   * Events after `revision` under `prefix`, or undefined when the history no longer reaches back
   * that far (the caller answers 410 Expired).
   */
  eventsSince(revision: number, prefix: string): CacheEvent[] | undefined {
    if (revision < this.historyStart) return undefined;
    const i = firstAfter(this.history, revision);
    return this.history.slice(i).filter((e) => e.key.startsWith(prefix));
  }

  oldestResumableRevision(): number {
    return this.historyStart;
  }

  subscribe(listener: CacheListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Called when the cache is rebuilt and watches following it must end. */
  onReset(listener: () => void): () => void {
    this.resetListeners.add(listener);
    return () => this.resetListeners.delete(listener);
  }
}

function firstAfter(history: CacheEvent[], revision: number): number {
  let lo = 0;
  let hi = history.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (history[mid].revision <= revision) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
