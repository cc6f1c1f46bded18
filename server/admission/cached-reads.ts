// Reads of other objects admission needs (namespaces, services, endpoints), from the watch cache as
// kube's plugins read their informers; a missing object is read again fresh, as kube's plugins do
// when their cache may lag behind a create.
import type { KubeObject } from '../api/object.js';
import { decode } from '../registry/encoding.js';
import type { TypeRegistry } from '../registry/registry.js';
import type { Storage } from '../storage/interface.js';

export class CachedReads {
  constructor(private readonly storage: Storage, private readonly types: TypeRegistry) {}

  async get(group: string, resource: string, namespace: string, name: string): Promise<KubeObject | undefined> {
    const rt = this.types.lookup(group, 'v1', resource);
    if (!rt) return undefined;
    const key = rt.namespaced ? `${rt.storagePrefix}/${namespace}/${name}` : `${rt.storagePrefix}/${name}`;
    const cached = this.storage.ready() ? (await this.storage.get(key, { resourceVersion: '0' })).value : null;
    const value = cached ?? (await this.storage.get(key, {})).value;
    return value ? decode(rt, value) : undefined;
  }

  /** Objects of a namespace with this label value, from the cache. */
  async list(group: string, resource: string, namespace: string, label: string, value: string): Promise<KubeObject[]> {
    return (await this.all(group, resource, namespace)).filter((o) => o.metadata.labels?.[label] === value);
  }

  /** Every object of a namespace, from the cache. */
  async all(group: string, resource: string, namespace: string): Promise<KubeObject[]> {
    const rt = this.types.lookup(group, 'v1', resource);
    if (!rt) return [];
    const res = await this.storage.list(`${rt.storagePrefix}/${namespace}/`, { resourceVersion: this.storage.ready() ? '0' : undefined });
    return res.items.map((sv) => decode(rt, sv));
  }
}
