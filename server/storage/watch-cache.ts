// The watch cache: an in-memory copy of everything under /registry/, fed by one ordered etcd watch.
// GET and LIST are served from it; watches replay its bounded event history and follow its live events.
import type { IKeyValue, IWatchResponse, Watcher } from 'etcd3';
import { errors } from '../api/errors.js';
import type { EtcdStorage } from './etcd.js';

export const registryRoot = '/registry/';

/** One key as the cache holds it: etcd's bytes, and lazily the parsed object and encodings. */
export interface CacheEntry {
  key: string;
  value: Buffer;
  modRevision: number;
  createRevision: number;
  /** Encodings of this entry already produced, by a caller-chosen tag (e.g. apiVersion). */
  encoded?: Map<string, unknown>;
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
  /** Bytes of object values the history may hold (default 256 MiB). */
  maxHistoryBytes?: number;
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
  private entries = new Map<string, CacheEntry>();
  private indexes = new Map<string, PrefixIndex>();
  private history: CacheEvent[] = [];
  /** Revision of the oldest state the history can replay from (events after it are all kept). */
  private historyStart = 0;
  private readonly historySize: number;
  private readonly maxHistoryBytes: number;
  private historyBytes = 0;
  /** The etcd revision the cache reflects. */
  revision = 0;
  private watcher?: Watcher;
  private readonly listeners = new Set<CacheListener>();
  private readonly resetListeners = new Set<() => void>();
  private waiters: Array<{ rev: number; resolve: () => void }> = [];
  private readyPromise?: Promise<void>;
  private stopped = false;
  /** False while the cache is rebuilding after its etcd watch broke. */
  ready = false;

  constructor(private readonly storage: EtcdStorage, opts: WatchCacheOptions = {}) {
    this.historySize = opts.historySize ?? 10000;
    this.maxHistoryBytes = opts.maxHistoryBytes ?? 256 * 1024 * 1024;
  }

  start(): Promise<void> {
    this.readyPromise ??= this.load();
    return this.readyPromise;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.watcher?.cancel().catch(() => undefined);
  }

  /** Loads the snapshot and starts following etcd; retries until etcd answers. */
  private async load(): Promise<void> {
    for (;;) {
      try {
        await this.loadOnce();
        return;
      } catch (e) {
        if (this.stopped) return;
        await new Promise((r) => setTimeout(r, 500));
        void e;
      }
    }
  }

  private async loadOnce(): Promise<void> {
    const current = await this.storage.currentRevision();
    // Start the history some revisions back, so a watch from a resourceVersion a client saw before
    // this instance started (or restarted) can still be resumed without a relist.
    let from = Math.max(1, current - this.historySize);
    let snapshot: Map<string, CacheEntry> | undefined;
    while (!snapshot) {
      try {
        snapshot = await this.snapshotAt(from);
      } catch (e) {
        if (!/compacted|too old/i.test((e as Error).message) || from >= current) throw e;
        from = Math.min(current, from + Math.max(1, Math.ceil((current - from) / 2)));
      }
    }
    this.entries = snapshot;
    for (const index of this.indexes.values()) this.rebuildIndex(index);
    this.history = [];
    this.historyBytes = 0;
    this.historyStart = from;
    this.revision = from;
    await this.follow(from + 1);
  }

  private async snapshotAt(revision: number): Promise<Map<string, CacheEntry>> {
    const out = new Map<string, CacheEntry>();
    let start = registryRoot;
    for (;;) {
      const page = await this.storage.range(registryRoot, start, 5000, revision);
      // Copy: values are views into the whole gRPC response, which would otherwise stay alive.
      for (const sv of page.items) out.set(sv.key, { ...sv, value: Buffer.from(sv.value) });
      if (!page.more || !page.items.length) return out;
      start = page.items[page.items.length - 1].key + '\x00';
    }
  }

  private async follow(startRevision: number): Promise<void> {
    const watcher = await this.storage.client.watch().prefix(registryRoot).startRevision(String(startRevision)).create();
    this.watcher = watcher;
    watcher.on('data', (res: IWatchResponse) => this.apply(res));
    watcher.on('error', (err: Error) => void this.resync(err));
    this.ready = true;
  }

  /** The etcd watch broke beyond repair (e.g. compacted while disconnected): rebuild, and end every watch. */
  private async resync(err: Error): Promise<void> {
    if (this.stopped) return;
    console.error(`watch cache: etcd watch failed (${err.message}); rebuilding`);
    this.ready = false;
    await this.watcher?.cancel().catch(() => undefined);
    for (const l of this.resetListeners) l();
    this.readyPromise = this.load();
    await this.readyPromise;
  }

  private apply(res: IWatchResponse): void {
    if (!res.events.length) {
      return;
    }
    // Not res.header.revision: catching up, etcd sends at most 1000 revisions per response, each
    // stamped with its current revision. The cache has reached only its last event.
    const revision = Number((res.events[res.events.length - 1].kv as IKeyValue).mod_revision);
    const batch: CacheEvent[] = [];
    for (const ev of res.events) {
      const kv = ev.kv as IKeyValue;
      const key = kv.key.toString();
      const prev = this.entries.get(key);
      const rev = Number(kv.mod_revision);
      if (ev.type === 'Delete') {
        if (!prev) continue;
        this.entries.delete(key);
        for (const index of this.indexes.values()) if (key.startsWith(index.prefix)) index.remove(key);
        const last: CacheEntry = { ...prev, modRevision: rev, encoded: undefined };
        batch.push({ type: 'DELETED', key, entry: last, prev, revision: rev });
      } else {
        const entry: CacheEntry = { key, value: Buffer.from(kv.value), modRevision: rev, createRevision: Number(kv.create_revision) };
        this.entries.set(key, entry);
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
    this.bumpRevision(Math.max(revision, batch.length ? batch[batch.length - 1].revision : 0), false);
    if (batch.length) for (const l of this.listeners) l(batch);
  }

  private bumpRevision(rev: number, _fromProgress: boolean): void {
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
    // Writes outside /registry/ move the revision without an event: after a short wait, settle by a
    // direct check of the newest /registry/ revision.
    try {
      await this.waitFor(current, 200);
    } catch {
      const latest = await this.storage.latestRevisionUnder(registryRoot);
      await this.waitFor(latest);
      if (this.revision < current) this.bumpRevision(current, true);
    }
  }

  private inFlight?: Promise<number>;
  private queued?: Promise<number>;

  /**
   * etcd's current revision, read after this call was made. Concurrent callers share reads: one
   * that arrives while a read is in flight waits for the next one, which starts after it arrived.
   */
  private nextRevisionCheck(): Promise<number> {
    if (!this.inFlight) {
      this.inFlight = this.storage.currentRevision().finally(() => {
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
    return this.entries.get(key);
  }

  /** Entries under `prefix` in key order, starting at `start` (inclusive). */
  list(prefix: string, start = prefix): CacheEntry[] {
    let index = this.indexes.get(prefix);
    if (!index) {
      index = new PrefixIndex(prefix);
      this.rebuildIndex(index);
      this.indexes.set(prefix, index);
    }
    const from = start > prefix ? lowerBound(index.keys, start) : 0;
    const out: CacheEntry[] = [];
    for (let i = from; i < index.keys.length; i++) out.push(this.entries.get(index.keys[i])!);
    return out;
  }

  private rebuildIndex(index: PrefixIndex): void {
    index.keys = [...this.entries.keys()].filter((k) => k.startsWith(index.prefix)).sort();
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
