// Serves the custom resources of every established CRD on this instance. Registry changes travel
// through the watch cache, not process memory: whichever instance writes a CRD, every instance
// sees the event and adds, changes or removes the CRD's types in its own registry.
import type { KubeObject } from '../api/object.js';
import type { TypeRegistry } from '../registry/registry.js';
import type { GenericStore } from '../registry/store.js';
import type { ResourceType } from '../registry/types.js';
import { PrefixFollower } from '../registry/follower.js';
import { registerSchemaCheck } from '../schema/validate.js';
import { customResourceTypes, type CustomResourceType, isEstablished } from './custom-resource-type.js';
import { logger } from '../logging/logger.js';

export class CustomResourceDefinitionWatcher {
  /** CRD name -> the types installed for it. */
  private readonly installed = new Map<string, CustomResourceType[]>();
  private readonly follower: PrefixFollower;

  constructor(store: GenericStore, private readonly types: TypeRegistry, crdType: ResourceType) {
    // CRDs are cluster-scoped: the follower's key is "/<name>".
    this.follower = new PrefixFollower(store, crdType, {
      changed: (key, crd) => (crd ? this.apply(crd) : this.uninstall(key.slice(1))),
    });
  }

  /** Starts watching; resolves once the CRDs stored at start-up are served. */
  start(): Promise<void> {
    return this.follower.start();
  }

  synced(): Promise<void> {
    return this.follower.whenSynced();
  }

  stop(): void {
    this.follower.stop();
  }

  private apply(crd: KubeObject): void {
    const name = crd.metadata.name!;
    if (!isEstablished(crd) || crd.metadata.deletionTimestamp) {
      this.uninstall(name);
      return;
    }
    let next: CustomResourceType[];
    try {
      next = customResourceTypes(crd);
    } catch (e) {
      logger.error(`customresourcedefinition ${name}: cannot serve: ${(e as Error).message}`);
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
