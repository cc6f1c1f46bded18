// What kube-controller-manager's namespace controller does, done by the API server itself: a deleted
// namespace turns Terminating, everything in it is deleted, and the namespace goes once nothing is left.
// Objects held by finalizers or by graceful deletion keep it Terminating until they go, as in kube;
// a background pass on every instance retries until then (work is idempotent, so instances may overlap).
import { ApiError, errors } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import type { TypeRegistry } from '../../registry/registry.js';
import type { GenericStore, WriteOptions } from '../../registry/store.js';
import { nowTimestamp } from '../../registry/store.js';
import type { PostStartContext } from '../post-start.js';
import { systemNamespaces } from './system-namespaces.js';

/** What is left in a namespace after a deletion pass: instances per resource, and per finalizer. */
export interface NamespaceRemaining {
  resources: Map<string, number>;
  finalizers: Map<string, number>;
}

const systemWrite = (): WriteOptions => ({ dryRun: false, fieldValidation: 'Ignore', warnings: [] });

/** Deletes every namespaced object in `namespace`, once per stored resource; returns what is still there. */
export async function deleteNamespaceContents(store: GenericStore, types: TypeRegistry, namespace: string): Promise<NamespaceRemaining> {
  const remaining: NamespaceRemaining = { resources: new Map(), finalizers: new Map() };
  // Each stored resource once, even when several versions serve it.
  const seen = new Set<string>();
  for (const rt of types.all()) {
    if (!rt.namespaced || rt.virtual || seen.has(rt.storagePrefix)) continue;
    seen.add(rt.storagePrefix);
    const list = await store.list(rt, namespace, {});
    for (const item of list.items) {
      let left: KubeObject | undefined;
      try {
        const res = await store.delete(rt, namespace, item.metadata.name!, { propagationPolicy: 'Background' }, systemWrite());
        if (!res.deleted) left = res.object;
      } catch (e) {
        if (!(e instanceof ApiError && (e.code === 404 || e.code === 409))) throw e;
        if (e.code === 409) left = item;
      }
      if (!left) continue;
      const key = `${rt.resource}.${rt.group}`;
      remaining.resources.set(key, (remaining.resources.get(key) ?? 0) + 1);
      for (const f of left.metadata.finalizers ?? []) remaining.finalizers.set(f, (remaining.finalizers.get(f) ?? 0) + 1);
    }
  }
  return remaining;
}

/** The conditions kube's namespace controller leaves on a namespace it is still emptying. */
export function terminatingConditions(remaining: NamespaceRemaining): Record<string, unknown>[] {
  const now = nowTimestamp();
  const cond = (type: string, status: string, reason: string, message: string) => ({ type, status, lastTransitionTime: now, reason, message });
  const out = [
    cond('NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered', 'All resources successfully discovered'),
    cond('NamespaceDeletionGroupVersionParsingFailure', 'False', 'ParsedGroupVersions', 'All legacy kube types successfully parsed'),
    cond('NamespaceDeletionContentFailure', 'False', 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'),
  ];
  const resources = [...remaining.resources].sort().map(([r, n]) => `${r} has ${n} resource instances`);
  out.push(resources.length
    ? cond('NamespaceContentRemaining', 'True', 'SomeResourcesRemain', `Some resources are remaining: ${resources.join(', ')}`)
    : cond('NamespaceContentRemaining', 'False', 'ContentRemoved', 'All content successfully removed'));
  const finalizers = [...remaining.finalizers].sort().map(([f, n]) => `${f} in ${n} resource instances`);
  out.push(finalizers.length
    ? cond('NamespaceFinalizersRemaining', 'True', 'SomeFinalizersRemain', `Some content in the namespace has finalizers remaining: ${finalizers.join(', ')}`)
    : cond('NamespaceFinalizersRemaining', 'False', 'ContentHasNoFinalizers', 'All content-preserving finalizers finished'));
  return out;
}

export function checkNamespaceDeletable(name: string): void {
  if (systemNamespaces.includes(name)) {
    throw errors.forbidden(`namespaces "${name}" is forbidden: this namespace may not be deleted`, { name, kind: 'namespaces' });
  }
}

const finisherIntervalMs = 2000;
const finishing = new WeakSet<GenericStore>();

/** Retries the deletion of namespaces left Terminating (content with finalizers, pods still terminating, a restart). */
export function startNamespaceFinisher(ctx: PostStartContext): void {
  const nsType = ctx.types.lookup('', 'v1', 'namespaces');
  if (!nsType || finishing.has(ctx.store)) return;
  finishing.add(ctx.store);
  let running = false;
  const timer = setInterval(() => {
    if (running || !ctx.cacheReady()) return;
    running = true;
    void (async () => {
      try {
        if (await ctx.store.controllerManager.active()) return; // its namespace controller finishes them
        const list = await ctx.store.list(nsType, '', { resourceVersion: '0' });
        for (const ns of list.items) {
          // As kube's namespace controller: only a namespace marked deleted. Terminating without a deletionTimestamp
          // is a DELETE still emptying it (racing it made that DELETE answer 404), or a phase a client wrote.
          if ((ns.status as { phase?: string } | undefined)?.phase !== 'Terminating' || !ns.metadata.deletionTimestamp) continue;
          await ctx.store.delete(nsType, '', ns.metadata.name!, {}, systemWrite()).catch(() => undefined);
        }
      } catch {
        // etcd away or the server stopping: the next pass tries again.
      } finally {
        running = false;
      }
    })();
  }, finisherIntervalMs);
  timer.unref();
}
