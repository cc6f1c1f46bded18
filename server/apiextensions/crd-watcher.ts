// Serves the custom resources of every established CRD on this instance. Registry changes travel
// through the watch cache, not process memory: whichever instance writes a CRD, every instance
// sees the event and adds, changes or removes the CRD's types in its own registry.
import type { KubeObject } from '../api/object.js';
import type { TypeRegistry } from '../registry/registry.js';
import type { GenericStore } from '../registry/store.js';
import type { ResourceType } from '../registry/types.js';
import { registerSchemaCheck } from '../schema/validate.js';
import type { Watch, WatchEventType } from '../storage/interface.js';
import { customResourceTypes, type CustomResourceType, isEstablished } from './custom-resource-type.js';

const retryMs = 500;

export class CustomResourceDefinitionWatcher {
  /** CRD name -> the types installed for it. */
  private readonly installed = new Map<string, CustomResourceType[]>();
  private watch?: Watch;
  private stopped = false;
  private syncedOnce = false;
  private readonly waiters: Array<() => void> = [];

  constructor(private readonly store: GenericStore, private readonly types: TypeRegistry, private readonly crdType: ResourceType) {}

  /** Starts watching; resolves once the CRDs stored at start-up are served. */
  start(): Promise<void> {
    void this.run();
    return this.synced();
  }

  synced(): Promise<void> {
    if (this.syncedOnce) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  stop(): void {
    this.stopped = true;
    this.watch?.stop();
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        const closed = await this.follow();
        await closed;
      } catch {
        // cache not ready or etcd away: try again
      }
      if (!this.stopped) await new Promise((r) => setTimeout(r, retryMs).unref());
    }
  }

  /** One watch with the initial state; resolves with a promise that settles when the watch ends. */
  private async follow(): Promise<Promise<void>> {
    let ended!: () => void;
    const closed = new Promise<void>((r) => (ended = r));
    // A fresh watch starts from the whole state: CRDs gone meanwhile are dropped at its initial-events end.
    // From the cache's state as it is (resourceVersion 0): a ready cache holds every CRD stored before it
    // loaded, and waiting for it to be fresh could wait for a revision the feed has not brought yet.
    const seen = new Set<string>();
    this.watch = await this.store.storage.watch(`${this.crdType.storagePrefix}/`, { sendInitialEvents: true, resourceVersion: '0' }, {
      event: (type: WatchEventType, value) => {
        const crd = this.store.decode(this.crdType, value);
        seen.add(crd.metadata.name!);
        this.apply(type, crd);
      },
      initialEventsEnd: () => {
        for (const name of [...this.installed.keys()]) if (!seen.has(name)) this.uninstall(name);
        this.syncedOnce = true;
        for (const w of this.waiters.splice(0)) w();
      },
      error: () => ended(),
      close: () => ended(),
    });
    return closed;
  }

  private apply(type: WatchEventType, crd: KubeObject): void {
    const name = crd.metadata.name!;
    if (type === 'DELETED' || !isEstablished(crd) || crd.metadata.deletionTimestamp) {
      this.uninstall(name);
      return;
    }
    let next: CustomResourceType[];
    try {
      next = customResourceTypes(crd);
    } catch (e) {
      console.error(`customresourcedefinition ${name}: cannot serve: ${(e as Error).message}`);
      this.uninstall(name);
      return;
    }
    this.uninstall(name, next);
    for (const rt of next) {
      // A built-in type of the same group, version and resource is never shadowed.
      const existing = this.types.lookup(rt.group, rt.version, rt.resource);
      if (existing && !('customSchema' in existing)) continue;
      registerSchemaCheck(rt.definition, (obj) => rt.customSchema.check(obj));
      this.types.add(rt);
    }
    this.installed.set(name, next);
  }

  /** Removes a CRD's types, except those `keep` serves again under the same group/version/resource. */
  private uninstall(name: string, keep: CustomResourceType[] = []): void {
    for (const rt of this.installed.get(name) ?? []) {
      const kept = keep.some((k) => k.group === rt.group && k.version === rt.version && k.resource === rt.resource);
      if (!kept) this.types.remove(rt.group, rt.version, rt.resource);
      if (!keep.some((k) => k.definition === rt.definition)) registerSchemaCheck(rt.definition, undefined);
    }
    this.installed.delete(name);
  }
}
