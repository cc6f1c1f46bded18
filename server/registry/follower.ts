// Follows every object under one storage prefix from the watch cache into memory: a watch with the
// initial state, objects gone while no watch ran dropped at the initial-events end, and a new watch
// after any error. The CRD watcher installs what it follows; RBAC indexes it.
import type { KubeObject } from '../api/object.js';
import type { Watch } from '../storage/interface.js';
import type { GenericStore } from './store.js';
import type { ResourceType } from './types.js';

const retryMs = 500;

export interface FollowerListener {
  /** An object was added or changed (`obj`) or deleted (undefined), by its namespace/name key. */
  changed(key: string, obj: KubeObject | undefined): void;
}

export class PrefixFollower {
  private readonly objects = new Map<string, KubeObject>();
  private watch?: Watch;
  private stopped = false;
  private syncedOnce = false;
  private readonly waiters: Array<() => void> = [];

  constructor(private readonly store: GenericStore, private readonly rt: ResourceType, private readonly listener: FollowerListener) {}

  get synced(): boolean {
    return this.syncedOnce;
  }

  get(key: string): KubeObject | undefined {
    return this.objects.get(key);
  }

  values(): IterableIterator<KubeObject> {
    return this.objects.values();
  }

  /** Starts following; resolves once the objects stored at start-up are in memory. */
  start(): Promise<void> {
    void this.run();
    return this.whenSynced();
  }

  /** Resolves once the first initial state has been read (at once if it has). */
  whenSynced(): Promise<void> {
    if (this.syncedOnce) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    this.watch?.stop();
    for (const w of this.waiters.splice(0)) w();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        await (await this.follow());
      } catch {
        // cache not ready or etcd away: try again
      }
      if (!this.stopped) await new Promise((r) => setTimeout(r, retryMs).unref());
    }
  }

  private async follow(): Promise<Promise<void>> {
    let ended!: () => void;
    const closed = new Promise<void>((r) => (ended = r));
    const seen = new Set<string>();
    // From the cache's state as it is (resourceVersion 0): a ready cache holds every object stored before it
    // loaded, and waiting for it to be fresh could wait for a revision the feed has not brought yet.
    this.watch = await this.store.storage.watch(`${this.rt.storagePrefix}/`, { sendInitialEvents: true, resourceVersion: '0' }, {
      event: (type, value) => {
        const obj = this.store.decode(this.rt, value);
        const key = keyOf(obj);
        seen.add(key);
        this.set(key, type === 'DELETED' ? undefined : obj);
      },
      initialEventsEnd: () => {
        for (const key of [...this.objects.keys()]) if (!seen.has(key)) this.set(key, undefined);
        this.syncedOnce = true;
        for (const w of this.waiters.splice(0)) w();
      },
      error: () => ended(),
      close: () => ended(),
    });
    if (this.stopped) this.watch.stop();
    return closed;
  }

  private set(key: string, obj: KubeObject | undefined): void {
    if (obj) this.objects.set(key, obj);
    else if (!this.objects.delete(key)) return;
    this.listener.changed(key, obj);
  }
}

export const keyOf = (obj: KubeObject): string => `${obj.metadata.namespace ?? ''}/${obj.metadata.name}`;
