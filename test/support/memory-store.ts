// The generic store with every built-in kind on the in-memory storage: a resource's strategy exercised
// through create, update and status updates as the API runs them, without etcd.
import { ApiError } from '../../server/api/errors.js';
import type { KubeObject } from '../../server/api/object.js';
import { TypeRegistry } from '../../server/registry/registry.js';
import { GenericStore, type WriteOptions } from '../../server/registry/store.js';
import type { ResourceType, StrategyServices } from '../../server/registry/types.js';
import { registerBuiltins } from '../../server/resources/index.js';
import { MemoryStorage } from '../../server/storage/memory/memory.js';
import { toTable } from '../../server/table/convert.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const noAllocations: StrategyServices = {
  allocateClusterIP: async () => { throw new Error('no ClusterIPs in this test'); }, releaseClusterIP: async () => undefined,
  allocateNodePort: async () => { throw new Error('no node ports in this test'); }, releaseNodePort: async () => undefined,
};

export interface MemoryStore {
  storage: MemoryStorage;
  store: GenericStore;
  types: TypeRegistry;
  /** The built-in resource `resource` of `group`/v1. */
  rt(group: string, resource: string): ResourceType;
  create(rt: ResourceType, body: Record<string, unknown>, namespace?: string): Promise<any>;
  update(rt: ResourceType, obj: Record<string, unknown>, subresource?: string): Promise<any>;
  /** The Status message of a write that must fail with 422 Invalid. */
  invalid(write: Promise<unknown>): Promise<string>;
  /** A Table of `objects` as `kubectl get` receives it: column names and the first row's cells. */
  table(rt: ResourceType, obj: KubeObject): { columns: string[]; cells: unknown[] };
}

export function memoryStore(): MemoryStore {
  const storage = new MemoryStorage();
  const types = new TypeRegistry();
  registerBuiltins(types);
  const store = new GenericStore(storage, types, noAllocations);
  const opts: WriteOptions = { dryRun: false, fieldValidation: 'Strict', warnings: [] };
  const ns = (rt: ResourceType, namespace: string) => (rt.namespaced ? namespace : '');
  return {
    storage, store, types,
    rt(group, resource) {
      const rt = types.lookup(group, 'v1', resource);
      if (!rt) throw new Error(`${resource}.${group} is not served`);
      return rt;
    },
    create: (rt, body, namespace = 'default') => store.create(rt, ns(rt, namespace), structuredClone(body) as KubeObject, opts),
    update: (rt, obj, subresource = '') => {
      const o = structuredClone(obj) as KubeObject;
      return store.update(rt, o.metadata.namespace ?? '', o.metadata.name!, o, opts, subresource);
    },
    async invalid(write) {
      try {
        await write;
      } catch (e) {
        if (e instanceof ApiError && e.code === 422 && e.reason === 'Invalid') return e.message;
        throw e;
      }
      throw new Error('the write succeeded; expected 422 Invalid');
    },
    table(rt, obj) {
      const t = toTable([obj], rt.strategy.table, { includeObject: 'None' }) as { columnDefinitions: Array<{ name: string }>; rows: Array<{ cells: unknown[] }> };
      return { columns: t.columnDefinitions.map((c) => c.name), cells: t.rows[0].cells };
    },
  };
}
