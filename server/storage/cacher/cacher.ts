// The cacher: the storage the generic store talks to. Writes go to etcd; reads and watches are
// served from the watch cache, and its delegator sends to etcd what the cache cannot answer
// (an Exact resourceVersion, continue pages, a cache that is not ready).
import { ApiError, errors } from '../../api/errors.js';
import { decodeContinue } from '../continue.js';
import type { EtcdStorage } from '../etcd3/etcd3.js';
import type {
  GetOptions, GetResult, ListOptions, ListResult, Preconditions, Storage, Watch, WatchListener, WatchOptions,
} from '../interface.js';
import { parseResourceVersion } from '../resource-version.js';
import { listFromCache } from './list.js';
import type { WatchCache } from './watch-cache.js';
import { watchSource } from './watcher.js';

export class Cacher implements Storage {
  constructor(readonly delegate: EtcdStorage, readonly cache: WatchCache) {}

  start(): Promise<void> {
    return this.cache.start();
  }

  stop(): Promise<void> {
    return this.cache.stop();
  }

  ready(): boolean {
    return this.cache.ready;
  }

  async get(key: string, opts: GetOptions = {}): Promise<GetResult> {
    if (!this.cache.ready || opts.forUpdate) return this.delegate.get(key, opts);
    if (!(await this.waitUntilFresh(opts.resourceVersion))) return this.delegate.get(key, opts);
    const entry = this.cache.get(key);
    return { value: entry ?? null, revision: this.cache.revision };
  }

  async list(prefix: string, opts: ListOptions): Promise<ListResult> {
    // A bad continue token is 400 whoever would serve the list (kube's ValidateListOptions).
    if (opts.continue) decodeContinue(opts.continue, prefix);
    if (this.shouldDelegateList(opts)) return this.delegate.list(prefix, opts);
    if (!(await this.waitUntilFresh(opts.resourceVersion))) return this.delegate.list(prefix, opts);
    return listFromCache(this.cache, prefix, opts.limit && opts.limit > 0 ? opts.limit : 0, opts.predicate);
  }

  /** kube's delegator: what the cache cannot answer goes to etcd. */
  private shouldDelegateList(opts: ListOptions): boolean {
    return !this.cache.ready || opts.resourceVersionMatch === 'Exact' || Boolean(opts.continue);
  }

  /**
   * Brings the cache to the state a read with this resourceVersion must see; false when the read
   * must go to etcd instead: the cache went unready meanwhile (its feed broke), or, for a consistent
   * read, it did not catch up in time (its feed stalled) — kube's delegator falls back the same way.
   */
  private async waitUntilFresh(resourceVersion: string | undefined): Promise<boolean> {
    const rev = resourceVersion && resourceVersion !== '0' ? parseResourceVersion(resourceVersion) : 0;
    try {
      if (!resourceVersion) await this.cache.waitFresh();
      else if (rev) await this.cache.waitFor(rev);
    } catch (e) {
      if (!resourceVersion && isTooLargeResourceVersion(e)) return false;
      if (this.cache.ready) throw e;
    }
    return this.cache.ready;
  }

  async watch(prefix: string, opts: WatchOptions, listener: WatchListener): Promise<Watch> {
    const rv = opts.resourceVersion ?? '';
    const initialEvents = opts.sendInitialEvents ?? (rv === '' || rv === '0');
    await this.cache.start();
    if (!this.cache.ready) throw errors.unavailable('watch cache is initializing');
    // Unset means the most recent state (also for legacy watches and sendInitialEvents=false).
    if (rv === '') await this.cache.waitFresh();
    else if (rv !== '0' && opts.sendInitialEvents) await this.cache.waitFor(parseResourceVersion(rv));
    const fromRevision = rv === '' || rv === '0' ? 0 : parseResourceVersion(rv);
    return watchSource(this.cache, prefix, {
      fromRevision, initialEvents, initialEventsEnd: Boolean(opts.sendInitialEvents), predicate: opts.predicate, key: opts.key,
    }, listener);
  }

  create(key: string, value: Buffer): Promise<number> {
    return this.delegate.create(key, value);
  }

  update(key: string, value: Buffer, preconditions: Preconditions): Promise<number> {
    return this.delegate.update(key, value, preconditions);
  }

  delete(key: string, preconditions: Preconditions): Promise<number> {
    return this.delegate.delete(key, preconditions);
  }

  currentRevision(): Promise<number> {
    return this.delegate.currentRevision();
  }

  compact(revision: number): Promise<void> {
    return this.delegate.compact(revision);
  }
}

function isTooLargeResourceVersion(e: unknown): boolean {
  return e instanceof ApiError && (e.details?.causes ?? []).some((c) => c.reason === 'ResourceVersionTooLarge');
}
