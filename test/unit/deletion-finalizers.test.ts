// The garbage collector's deletion finalizers on DELETE, and the controller-manager presence that
// decides whether the server does the controller manager's duties itself (kube's store.go rules).
import { beforeEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../server/api/object.js';
import { leaseHeld } from '../../server/registry/controller-manager.js';
import { deletionFinalizers } from '../../server/registry/deletion-finalizers.js';
import { TypeRegistry } from '../../server/registry/registry.js';
import { GenericStore, type WriteOptions } from '../../server/registry/store.js';
import type { ResourceType, StrategyServices } from '../../server/registry/types.js';
import { registerBuiltins } from '../../server/resources/index.js';
import { MemoryStorage } from '../../server/storage/memory/memory.js';

const services: StrategyServices = {
  allocateClusterIP: async () => '10.0.0.10', releaseClusterIP: async () => undefined,
  allocateNodePort: async () => 30000, releaseNodePort: async () => undefined,
};
const write: WriteOptions = { dryRun: false, fieldValidation: 'Strict', warnings: [] };

let types: TypeRegistry;
beforeEach(() => {
  types = new TypeRegistry();
  registerBuiltins(types);
});
const rt = (group: string, resource: string): ResourceType => types.lookup(group, 'v1', resource)!;

describe('deletionFinalizers (kube deletionFinalizersForGarbageCollection)', () => {
  it('adds foregroundDeletion or orphan as the propagation policy asks, and nothing for Background', () => {
    const rs = rt('apps', 'replicasets');
    expect(deletionFinalizers(rs, [], { propagationPolicy: 'Foreground' })).toEqual(['foregroundDeletion']);
    expect(deletionFinalizers(rs, ['x/y'], { propagationPolicy: 'Orphan' })).toEqual(['x/y', 'orphan']);
    expect(deletionFinalizers(rs, [], { propagationPolicy: 'Background' })).toBeUndefined();
    expect(deletionFinalizers(rs, [], {})).toBeUndefined();
  });
  it('lets a later request switch orphan and foreground, and an existing finalizer decide when the request names nothing', () => {
    const rs = rt('apps', 'replicasets');
    expect(deletionFinalizers(rs, ['orphan'], { propagationPolicy: 'Foreground' })).toEqual(['foregroundDeletion']);
    expect(deletionFinalizers(rs, ['foregroundDeletion'], { propagationPolicy: 'Background' })).toEqual([]);
    expect(deletionFinalizers(rs, ['foregroundDeletion'], {})).toBeUndefined();
    expect(deletionFinalizers(rs, ['orphan'], {})).toBeUndefined();
    expect(deletionFinalizers(rs, [], { orphanDependents: true })).toEqual(['orphan']);
    expect(deletionFinalizers(rs, ['orphan'], { orphanDependents: false })).toEqual([]);
  });
  it('uses the resource default: batch/v1 Jobs orphan, events take no part', () => {
    expect(deletionFinalizers(rt('batch', 'jobs'), [], {})).toEqual(['orphan']);
    expect(deletionFinalizers(rt('batch', 'jobs'), [], { propagationPolicy: 'Background' })).toBeUndefined();
    expect(deletionFinalizers(rt('', 'events'), [], { propagationPolicy: 'Foreground' })).toBeUndefined();
  });
});

describe('leaseHeld', () => {
  const now = Date.parse('2026-01-01T00:00:30Z');
  it('is true only for a named holder whose renewal plus duration is still ahead', () => {
    expect(leaseHeld({ holderIdentity: 'cm_1', renewTime: '2026-01-01T00:00:20.000000Z', leaseDurationSeconds: 15 }, now)).toBe(true);
    expect(leaseHeld({ holderIdentity: 'cm_1', renewTime: '2026-01-01T00:00:10.000000Z', leaseDurationSeconds: 15 }, now)).toBe(false);
    expect(leaseHeld({ holderIdentity: '', renewTime: '2026-01-01T00:00:29Z', leaseDurationSeconds: 15 }, now)).toBe(false);
    expect(leaseHeld(undefined, now)).toBe(false);
  });
});

describe('the store with and without a controller manager', () => {
  async function setup(active: boolean) {
    const store = new GenericStore(new MemoryStorage(), types, services, undefined, undefined, { active: async () => active });
    const ns = rt('', 'namespaces');
    const rs = rt('apps', 'replicasets');
    await store.create(ns, '', { metadata: { name: 'team' } }, write);
    const replicaSet: KubeObject = {
      metadata: { name: 'web', namespace: 'team' },
      spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    };
    await store.create(rs, 'team', replicaSet, write);
    return { store, ns, rs };
  }

  it('with one, a foreground DELETE keeps the object marked with foregroundDeletion until the collector removes it', async () => {
    const { store, rs } = await setup(true);
    const res = await store.delete(rs, 'team', 'web', { propagationPolicy: 'Foreground' }, write);
    expect(res.deleted).toBe(false);
    expect(res.object.metadata.finalizers).toEqual(['foregroundDeletion']);
    expect(res.object.metadata.deletionTimestamp).toBeTruthy();
    const cur = await store.get(rs, 'team', 'web');
    await store.update(rs, 'team', 'web', { ...cur, metadata: { ...cur.metadata, finalizers: [] } }, write);
    await expect(store.get(rs, 'team', 'web')).rejects.toMatchObject({ code: 404 });
  });

  it('without one, the same DELETE removes the object at once (nothing would remove the finalizer)', async () => {
    const { store, rs } = await setup(false);
    const res = await store.delete(rs, 'team', 'web', { propagationPolicy: 'Foreground' }, write);
    expect(res.deleted).toBe(true);
  });

  it('with one, a namespace DELETE leaves the emptying to its namespace controller: Terminating, content untouched', async () => {
    const { store, ns, rs } = await setup(true);
    const res = await store.delete(ns, '', 'team', {}, write);
    expect(res.deleted).toBe(false);
    expect((res.object.status as { phase: string }).phase).toBe('Terminating');
    expect((await store.get(rs, 'team', 'web')).metadata.name).toBe('web');
  });
});
