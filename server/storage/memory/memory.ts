// An in-memory storage with etcd's rules (one revision counter, create/update/delete preconditions,
// ordered events, compaction) behind the same interface, so the generic store's rules can be
// unit-tested without etcd. Watches are served by the cacher's own watcher.
import { errors } from '../../api/errors.js';
import { decodeContinue } from '../continue.js';
import {
  type GetOptions, type GetResult, type ListOptions, type ListResult, PreconditionFailed, type Preconditions,
  type Storage, type StoredValue, type Watch, type WatchListener, type WatchOptions,
} from '../interface.js';
import { listFromCache } from '../cacher/list.js';
import { parseResourceVersion } from '../resource-version.js';
import type { CacheEvent, CacheListener } from '../cacher/watch-cache.js';
import { lowerBound } from '../cacher/watch-cache.js';
import { watchSource, type WatchSource } from '../cacher/watcher.js';

export class MemoryStorage implements Storage, WatchSource {
  private readonly values = new Map<string, StoredValue>();
  private readonly history: CacheEvent[] = [];
  private readonly listeners = new Set<CacheListener>();
  private readonly resetListeners = new Set<() => void>();
  private compacted = 0;
  revision = 1;
  /** Every write, in order, for tests that assert nothing was written. */
  writes = 0;

  async get(key: string, opts: GetOptions = {}): Promise<GetResult> {
    if (opts.resourceVersion) this.checkNotFuture(parseResourceVersion(opts.resourceVersion));
    const value = this.values.get(key);
    return { value: value ? { ...value } : null, revision: this.revision };
  }

  async list(prefix: string, opts: ListOptions): Promise<ListResult> {
    let start = prefix;
    if (opts.continue) start = decodeContinue(opts.continue, prefix).start;
    if (opts.resourceVersion && opts.resourceVersion !== '0') this.checkNotFuture(parseResourceVersion(opts.resourceVersion));
    return listFromCache(this, prefix, opts.limit && opts.limit > 0 ? opts.limit : 0, opts.predicate, start);
  }

  async watch(prefix: string, opts: WatchOptions, listener: WatchListener): Promise<Watch> {
    const rv = opts.resourceVersion ?? '';
    const fromRevision = rv === '' || rv === '0' ? 0 : parseResourceVersion(rv);
    return watchSource(this, prefix, {
      fromRevision,
      initialEvents: opts.sendInitialEvents ?? fromRevision === 0,
      initialEventsEnd: Boolean(opts.sendInitialEvents),
      predicate: opts.predicate,
      key: opts.key,
    }, listener);
  }

  async create(key: string, value: Buffer): Promise<number> {
    const current = this.values.get(key);
    if (current) throw new PreconditionFailed({ ...current });
    const rev = ++this.revision;
    const entry: StoredValue = { key, value: Buffer.from(value), modRevision: rev, createRevision: rev };
    this.values.set(key, entry);
    this.emit({ type: 'ADDED', key, entry, revision: rev });
    return rev;
  }

  async update(key: string, value: Buffer, preconditions: Preconditions): Promise<number> {
    const prev = this.values.get(key);
    if (!prev || prev.modRevision !== preconditions.modRevision) throw new PreconditionFailed(prev ? { ...prev } : null);
    const rev = ++this.revision;
    const entry: StoredValue = { key, value: Buffer.from(value), modRevision: rev, createRevision: prev.createRevision };
    this.values.set(key, entry);
    this.emit({ type: 'MODIFIED', key, entry, prev, revision: rev });
    return rev;
  }

  async delete(key: string, preconditions: Preconditions): Promise<number> {
    const prev = this.values.get(key);
    if (!prev || prev.modRevision !== preconditions.modRevision) throw new PreconditionFailed(prev ? { ...prev } : null);
    const rev = ++this.revision;
    this.values.delete(key);
    this.emit({ type: 'DELETED', key, entry: { ...prev, modRevision: rev, encoded: undefined }, prev, revision: rev });
    return rev;
  }

  async currentRevision(): Promise<number> {
    return this.revision;
  }

  async compact(revision: number): Promise<void> {
    this.compacted = Math.max(this.compacted, revision);
    while (this.history.length && this.history[0].revision <= this.compacted) this.history.shift();
  }

  ready(): boolean {
    return true;
  }

  // ---- what the cacher's watcher reads ----

  entries(prefix: string, start = prefix): StoredValue[] {
    const keys = [...this.values.keys()].filter((k) => k.startsWith(prefix)).sort();
    return keys.slice(start > prefix ? lowerBound(keys, start) : 0).map((k) => this.values.get(k)!);
  }

  eventsSince(revision: number, prefix: string): CacheEvent[] | undefined {
    if (revision < this.compacted) return undefined;
    return this.history.filter((e) => e.revision > revision && e.key.startsWith(prefix));
  }

  oldestResumableRevision(): number {
    return this.compacted;
  }

  subscribe(listener: CacheListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onReset(listener: () => void): () => void {
    this.resetListeners.add(listener);
    return () => this.resetListeners.delete(listener);
  }

  private emit(ev: CacheEvent): void {
    this.writes++;
    this.history.push(ev);
    for (const l of this.listeners) l([ev]);
  }

  private checkNotFuture(rev: number): void {
    if (rev > this.revision) throw errors.tooLargeResourceVersion(rev, this.revision);
  }
}
