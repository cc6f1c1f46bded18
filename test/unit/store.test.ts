// The generic store's rules on the in-memory storage (no etcd): create, update, delete with
// preconditions, finalizers, graceful deletion, dry run, generateName retries, NamespaceLifecycle.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AdmissionChain } from '../../server/admission/chain.js';
import { NamespaceLifecycle } from '../../server/admission/namespace-lifecycle.js';
import { ApiError } from '../../server/api/errors.js';
import type { KubeObject } from '../../server/api/object.js';
import { TypeRegistry } from '../../server/registry/registry.js';
import { GenericStore, type WriteOptions } from '../../server/registry/store.js';
import type { ResourceType, StrategyServices } from '../../server/registry/types.js';
import { registerBuiltins } from '../../server/resources/index.js';
import { MemoryStorage } from '../../server/storage/memory/memory.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const services: StrategyServices = {
  allocateClusterIP: async () => '10.0.0.10', releaseClusterIP: async () => undefined,
  allocateNodePort: async () => 30000, releaseNodePort: async () => undefined,
};
const write = (over: Partial<WriteOptions> = {}): WriteOptions => ({ dryRun: false, fieldValidation: 'Strict', warnings: [], ...over });

let storage: MemoryStorage;
let types: TypeRegistry;
let store: GenericStore;
let cm: ResourceType;
let deploy: ResourceType;
let ns: ResourceType;

beforeEach(async () => {
  storage = new MemoryStorage();
  types = new TypeRegistry();
  registerBuiltins(types);
  store = new GenericStore(storage, types, services, new AdmissionChain([new NamespaceLifecycle(storage, types)]));
  cm = types.lookup('', 'v1', 'configmaps')!;
  deploy = types.lookup('apps', 'v1', 'deployments')!;
  ns = types.lookup('', 'v1', 'namespaces')!;
  await store.create(ns, '', { metadata: { name: 'default' } }, write());
});
afterEach(() => {
  vi.restoreAllMocks();
});

async function code(p: Promise<unknown>): Promise<number> {
  try {
    await p;
    return 200;
  } catch (e) {
    if (e instanceof ApiError) return e.code;
    throw e;
  }
}
async function apiError(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}
const deployment = (name: string, replicas = 1): KubeObject => ({
  metadata: { name },
  spec: {
    replicas, selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
  },
});

describe('create', () => {
  it('sets uid, creationTimestamp and resourceVersion, and refuses a second create with AlreadyExists', async () => {
    const a = await store.create(cm, 'default', { metadata: { name: 'a', uid: 'mine' } as any, data: { k: 'v' } }, write());
    expect(a.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.metadata.uid).not.toBe('mine');
    expect(a.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(Number(a.metadata.resourceVersion)).toBe(storage.revision);
    const err = await apiError(store.create(cm, 'default', { metadata: { name: 'a' } }, write()));
    expect(err.code).toBe(409);
    expect(err.reason).toBe('AlreadyExists');
  });

  it('generates a name from generateName', async () => {
    const a = await store.create(cm, 'default', { metadata: { generateName: 'gen-' } }, write());
    expect(a.metadata.name).toMatch(/^gen-[a-z0-9]{5}$/);
  });

  it('sets generation 1 on types that track it', async () => {
    const d = await store.create(deploy, 'default', deployment('d'), write());
    expect(d.metadata.generation).toBe(1);
  });

  it('retries a fresh generated name on AlreadyExists, up to 8 attempts as kube', async () => {
    await store.create(cm, 'default', { metadata: { name: 'gen-bbbbb' } }, write());
    // Math.random() = 0 picks 'b' five times: the same name on every attempt until the spy stops.
    const random = vi.spyOn(Math, 'random');
    for (let i = 0; i < 5 * 3; i++) random.mockReturnValueOnce(0);
    const a = await store.create(cm, 'default', { metadata: { generateName: 'gen-' } }, write());
    expect(a.metadata.name).not.toBe('gen-bbbbb');
    expect(random.mock.calls.length).toBe(5 * 4);
    // Always colliding: AlreadyExists after 8 attempts.
    random.mockReturnValue(0);
    const err = await apiError(store.create(cm, 'default', { metadata: { generateName: 'gen-' } }, write()));
    expect(err.reason).toBe('AlreadyExists');
    expect(random.mock.calls.length).toBe(5 * 4 + 5 * 8);
  });

  it('does not retry a named create', async () => {
    await store.create(cm, 'default', { metadata: { name: 'n' } }, write());
    expect(await code(store.create(cm, 'default', { metadata: { name: 'n', generateName: 'x-' } }, write()))).toBe(409);
  });
});

describe('update', () => {
  it('answers 409 when the resourceVersion is not the current one, and retries an unconditional update', async () => {
    const a = await store.create(cm, 'default', { metadata: { name: 'a' }, data: { k: '1' } }, write());
    const b = await store.update(cm, 'default', 'a', { ...a, data: { k: '2' } }, write());
    expect(Number(b.metadata.resourceVersion)).toBeGreaterThan(Number(a.metadata.resourceVersion));
    const stale = await apiError(store.update(cm, 'default', 'a', { ...a, data: { k: '3' } }, write()));
    expect(stale.code).toBe(409);
    expect(stale.message).toContain('the object has been modified');
    const { resourceVersion: _rv, ...meta } = a.metadata;
    const c = await store.update(cm, 'default', 'a', { ...a, metadata: meta, data: { k: '4' } }, write());
    expect((c.data as any).k).toBe('4');
  });

  it('retries when the object changes between its read and its write', async () => {
    const a = await store.create(cm, 'default', { metadata: { name: 'race' }, data: { k: '1' } }, write());
    let raced = false;
    const out = await store.guaranteedUpdate(cm, 'default', 'race', write(), async (cur) => {
      if (!raced) {
        raced = true;
        await store.update(cm, 'default', 'race', { ...a, data: { k: 'other' } }, write());
      }
      return { update: { ...cur!, data: { ...(cur!.data as object), mine: 'yes' } } };
    });
    expect(out.data).toEqual({ k: 'other', mine: 'yes' });
  });

  it('bumps generation only when the spec changes', async () => {
    const d = await store.create(deploy, 'default', deployment('d'), write());
    const labelled = await store.update(deploy, 'default', 'd', { ...d, metadata: { ...d.metadata, labels: { x: 'y' } } }, write());
    expect(labelled.metadata.generation).toBe(1);
    const scaled = await store.update(deploy, 'default', 'd', { ...labelled, spec: { ...(labelled.spec as object), replicas: 3 } }, write());
    expect(scaled.metadata.generation).toBe(2);
  });

  it('a no-op update keeps the resourceVersion and writes nothing', async () => {
    const a = await store.create(cm, 'default', { metadata: { name: 'same' }, data: { k: '1' } }, write());
    const before = storage.writes;
    const b = await store.update(cm, 'default', 'same', a, write());
    expect(b.metadata.resourceVersion).toBe(a.metadata.resourceVersion);
    expect(storage.writes).toBe(before);
  });

  it('the status subresource changes status only', async () => {
    const d = await store.create(deploy, 'default', deployment('s'), write());
    const out = await store.update(deploy, 'default', 's', { ...d, spec: { ...(d.spec as object), replicas: 9 }, status: { replicas: 5 } }, write(), 'status');
    expect((out.spec as any).replicas).toBe(1);
    expect((out.status as any).replicas).toBe(5);
    expect(out.metadata.generation).toBe(1);
  });
});

describe('delete', () => {
  it('checks the uid and resourceVersion preconditions', async () => {
    const a = await store.create(cm, 'default', { metadata: { name: 'p' } }, write());
    const uid = await apiError(store.delete(cm, 'default', 'p', { preconditions: { uid: 'other' } }, write()));
    expect(uid.code).toBe(409);
    expect(uid.message).toBe(`Operation cannot be fulfilled on configmaps "p": Precondition failed: UID in precondition: other, UID in object meta: ${a.metadata.uid}`);
    const rv = await apiError(store.delete(cm, 'default', 'p', { preconditions: { resourceVersion: '1' } }, write()));
    expect(rv.message).toBe(`Operation cannot be fulfilled on configmaps "p": Precondition failed: ResourceVersion in precondition: 1, ResourceVersion in meta: ${a.metadata.resourceVersion}`);
    const ok = await store.delete(cm, 'default', 'p', { preconditions: { uid: a.metadata.uid, resourceVersion: a.metadata.resourceVersion } }, write());
    expect(ok.deleted).toBe(true);
    expect(await code(store.get(cm, 'default', 'p'))).toBe(404);
  });

  it('keeps an object with finalizers, marked deleting, and removes it when the last finalizer goes', async () => {
    await store.create(cm, 'default', { metadata: { name: 'f', finalizers: ['a/x', 'a/y'] } }, write());
    const r = await store.delete(cm, 'default', 'f', {}, write());
    expect(r.deleted).toBe(false);
    expect(r.object.metadata.deletionTimestamp).toBeTruthy();
    expect(r.object.metadata.deletionGracePeriodSeconds).toBe(0);
    let cur = await store.get(cm, 'default', 'f');
    const added = await apiError(store.update(cm, 'default', 'f', { ...cur, metadata: { ...cur.metadata, finalizers: ['a/x', 'a/y', 'a/z'] } }, write()));
    expect(added.code).toBe(422);
    expect(added.message).toContain('no new finalizers can be added if the object is being deleted');
    cur = await store.update(cm, 'default', 'f', { ...cur, metadata: { ...cur.metadata, finalizers: ['a/y'] } }, write());
    expect(cur.metadata.deletionTimestamp).toBeTruthy();
    await store.update(cm, 'default', 'f', { ...cur, metadata: { ...cur.metadata, finalizers: [] } }, write());
    expect(await code(store.get(cm, 'default', 'f'))).toBe(404);
  });

  it('graceful deletion marks the object with the grace period instead of removing it', async () => {
    const graceful: ResourceType = { ...cm, strategy: { ...cm.strategy, checkGracefulDelete: async () => ({ gracePeriodSeconds: 30 }) } };
    await store.create(graceful, 'default', { metadata: { name: 'g' } }, write());
    const r = await store.delete(graceful, 'default', 'g', {}, write());
    expect(r.deleted).toBe(false);
    expect(r.object.metadata.deletionGracePeriodSeconds).toBe(30);
    const left = Date.parse(r.object.metadata.deletionTimestamp!) - Date.now();
    expect(left).toBeGreaterThan(25_000);
    expect((await store.get(cm, 'default', 'g')).metadata.deletionTimestamp).toBe(r.object.metadata.deletionTimestamp);
  });
});

describe('dry run', () => {
  it('leaves storage untouched on every write', async () => {
    const a = await store.create(cm, 'default', { metadata: { name: 'a' }, data: { k: '1' } }, write());
    await store.create(cm, 'default', { metadata: { name: 'fin', finalizers: ['a/x'] } }, write());
    const d = await store.create(deploy, 'default', deployment('dd'), write());
    const before = { writes: storage.writes, revision: storage.revision };
    const dry = write({ dryRun: true });
    await store.create(cm, 'default', { metadata: { name: 'b' } }, dry);
    await store.create(cm, 'default', { metadata: { generateName: 'g-' } }, dry);
    await store.update(cm, 'default', 'a', { ...a, data: { k: '2' } }, dry);
    await store.update(deploy, 'default', 'dd', { ...d, status: { replicas: 2 } }, dry, 'status');
    await store.delete(cm, 'default', 'a', {}, dry);
    await store.delete(cm, 'default', 'fin', {}, dry);
    await store.deleteCollection(cm, 'default', {}, {}, dry);
    expect({ writes: storage.writes, revision: storage.revision }).toEqual(before);
    expect(((await store.get(cm, 'default', 'a')).data as any).k).toBe('1');
    expect(await code(store.get(cm, 'default', 'b'))).toBe(404);
  });
});

describe('NamespaceLifecycle admission', () => {
  it('refuses content in a missing namespace (404) and in a terminating one (403, kube\'s message)', async () => {
    const missing = await apiError(store.create(cm, 'nope', { metadata: { name: 'a' } }, write()));
    expect(missing.code).toBe(404);
    await store.create(ns, '', { metadata: { name: 'going', finalizers: ['x/y'] } }, write());
    await store.delete(ns, '', 'going', {}, write());
    const err = await apiError(store.create(cm, 'going', { metadata: { name: 'a' } }, write()));
    expect(err.code).toBe(403);
    expect(err.message).toBe('configmaps "" is forbidden: unable to create new content in namespace going because it is being terminated');
  });
});

describe('list and watch on the storage interface', () => {
  it('pages with limit and continue, and refuses a forged continue token with 400', async () => {
    for (const n of ['a', 'b', 'c']) await store.create(cm, 'default', { metadata: { name: n } }, write());
    const first = await store.list(cm, 'default', { limit: 2 });
    expect(first.items.map((i) => i.metadata.name)).toEqual(['a', 'b']);
    expect(first.metadata.remainingItemCount).toBe(1);
    const rest = await store.list(cm, 'default', { limit: 2, continue: first.metadata.continue });
    expect(rest.items.map((i) => i.metadata.name)).toEqual(['c']);
    const forged = Buffer.from('{"v":"meta.k8s.io/v1","rv":1e300,"start":"a"}').toString('base64url');
    const err = await apiError(store.list(cm, 'default', { limit: 2, continue: forged }));
    expect(err.code).toBe(400);
    expect(err.message).toBe('invalid continue token: continue key is not valid: json: cannot unmarshal number 1e300 into Go struct field continueToken.rv of type int64');
  });

  it('watches with a predicate: an object leaving the selection is DELETED for the watcher', async () => {
    const events: string[] = [];
    const predicate = store.predicate(cm, 'pick=yes', undefined);
    const w = await storage.watch('/registry/configmaps/default/', { resourceVersion: String(storage.revision), predicate }, {
      event: (type, v) => events.push(`${type} ${v.key.split('/').pop()}`),
      initialEventsEnd: () => undefined, error: () => undefined, close: () => undefined,
    });
    const a = await store.create(cm, 'default', { metadata: { name: 'w', labels: { pick: 'yes' } } }, write());
    await store.create(cm, 'default', { metadata: { name: 'other' } }, write());
    await store.update(cm, 'default', 'w', { ...a, metadata: { ...a.metadata, labels: { pick: 'no' } } }, write());
    w.stop();
    expect(events).toEqual(['ADDED w', 'DELETED w']);
  });
});
