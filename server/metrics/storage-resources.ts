// Which group and resource an etcd key belongs to, from the served types' storage prefixes
// (`/registry/configmaps/ns/name` -> configmaps; `/registry/services/specs/...` -> services;
// `/registry/stable.example.com/crontabs/...` -> crontabs.stable.example.com): kube labels its
// etcd and object-count metrics by GroupResource, and our storage sees only keys.
import type { TypeRegistry } from '../registry/registry.js';

export interface GroupResource {
  group: string;
  resource: string;
}

const root = '/registry/';
const none: GroupResource = { group: '', resource: '' };

export class StorageResources {
  private byPrefix?: Map<string, GroupResource>;

  constructor(private readonly types: TypeRegistry) {
    types.onChange(() => {
      this.byPrefix = undefined;
    });
  }

  /** Every storage prefix once, as the first type served from it (core events before events.k8s.io's, as kube). */
  prefixes(): Map<string, GroupResource> {
    if (this.byPrefix) return this.byPrefix;
    const m = new Map<string, GroupResource>();
    for (const rt of this.types.all()) {
      if (rt.virtual || m.has(rt.storagePrefix)) continue;
      m.set(rt.storagePrefix, { group: rt.group, resource: rt.resource });
    }
    return (this.byPrefix = m);
  }

  /** The key's resource; keys outside every type's prefix (our own bookkeeping) by their first segment. */
  resolve(key: string): GroupResource {
    if (!key.startsWith(root)) return none;
    const prefixes = this.prefixes();
    const first = key.indexOf('/', root.length);
    if (first < 0) return prefixes.get(key) ?? { group: '', resource: key.slice(root.length) };
    // Two segments first: services/specs, <group>/<plural>; a namespace is never a type's second segment.
    const second = key.indexOf('/', first + 1);
    const two = second < 0 ? undefined : prefixes.get(key.slice(0, second));
    if (two) return two;
    if (second < 0 && prefixes.has(key)) return prefixes.get(key)!;
    return prefixes.get(key.slice(0, first)) ?? { group: '', resource: key.slice(root.length, first) };
  }
}
