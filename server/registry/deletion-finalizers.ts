// The garbage collector's deletion finalizers, as kube's generic store sets them on DELETE: `orphan`
// (dependents are released) and `foregroundDeletion` (dependents go first), chosen by the request's
// orphanDependents or propagationPolicy, else by a finalizer already on the object, else by the
// resource's default policy. Only while the real kube-controller-manager runs: without its garbage
// collector nothing would ever remove them.
import type { DeleteOptions } from './options.js';
import type { ResourceType } from './types.js';

export const orphanFinalizer = 'orphan';
export const foregroundFinalizer = 'foregroundDeletion';

function shouldOrphan(rt: ResourceType, finalizers: string[], options: DeleteOptions): boolean {
  const policy = rt.strategy.garbageCollectionPolicy;
  if (policy === 'Unsupported') return false;
  if (options.orphanDependents !== undefined) return options.orphanDependents;
  if (options.propagationPolicy) return options.propagationPolicy === 'Orphan';
  if (finalizers.includes(orphanFinalizer)) return true;
  if (finalizers.includes(foregroundFinalizer)) return false;
  return policy === 'OrphanDependents';
}

function shouldDeleteInForeground(rt: ResourceType, finalizers: string[], options: DeleteOptions): boolean {
  if (rt.strategy.garbageCollectionPolicy === 'Unsupported') return false;
  if (options.orphanDependents !== undefined) return false;
  if (options.propagationPolicy) return options.propagationPolicy === 'Foreground';
  return finalizers.includes(foregroundFinalizer);
}

/** The object's finalizers after a DELETE with these options; undefined when they stay as they are. */
export function deletionFinalizers(rt: ResourceType, finalizers: string[], options: DeleteOptions): string[] | undefined {
  const next = finalizers.filter((f) => f !== orphanFinalizer && f !== foregroundFinalizer);
  if (shouldOrphan(rt, finalizers, options)) next.push(orphanFinalizer);
  if (shouldDeleteInForeground(rt, finalizers, options)) next.push(foregroundFinalizer);
  const same = next.length === new Set(finalizers).size && next.every((f) => finalizers.includes(f));
  return same ? undefined : next;
}
