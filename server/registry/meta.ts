// The metadata the store owns: system fields set on create and carried over on update, names
// generated from generateName, and the generation rule.
import { errors, field } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import type { ResourceType } from './types.js';

/** Keys the store owns in metadata: a client cannot set them. */
export const systemMeta = ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'selfLink'] as const;

const generateNameAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** kube's SimpleNameGenerator: the prefix and five random characters. */
export function generateName(prefix: string): string {
  let s = prefix;
  for (let i = 0; i < 5; i++) s += generateNameAlphabet[Math.floor(Math.random() * generateNameAlphabet.length)];
  return s;
}

export function nowTimestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** On update, what the client sent loses to what the store owns. */
export function carryOverSystemMeta(obj: KubeObject, old: KubeObject): void {
  obj.metadata ??= {};
  obj.metadata.uid = old.metadata.uid;
  obj.metadata.creationTimestamp = old.metadata.creationTimestamp;
  setOrDelete(obj.metadata, 'generation', old.metadata.generation);
  setOrDelete(obj.metadata, 'deletionTimestamp', old.metadata.deletionTimestamp);
  setOrDelete(obj.metadata, 'deletionGracePeriodSeconds', old.metadata.deletionGracePeriodSeconds);
  if (old.metadata.namespace !== undefined && obj.metadata.namespace === undefined) obj.metadata.namespace = old.metadata.namespace;
  if (old.metadata.deletionTimestamp) {
    // While deleting, finalizers may only be removed, never added.
    const had = new Set(old.metadata.finalizers ?? []);
    const added = (obj.metadata.finalizers ?? []).filter((f) => !had.has(f));
    if (added.length) {
      throw errors.invalid(old.kind ?? '', '', old.metadata.name ?? '', [
        field.forbidden('metadata.finalizers', `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`),
      ]);
    }
  }
}

/** metadata.generation moves on any change outside metadata, status and the strategy's ignores. */
export function generationRelevantChange(rt: ResourceType, obj: KubeObject, old: KubeObject): boolean {
  const ignore = new Set(['metadata', 'apiVersion', 'kind', ...(rt.strategy.generationCountsStatus ? [] : ['status']), ...(rt.strategy.generationIgnores ?? [])]);
  const strip = (o: KubeObject) => JSON.stringify(Object.keys(o).filter((k) => !ignore.has(k)).sort().map((k) => [k, o[k]]));
  return strip(obj) !== strip(old);
}

function setOrDelete(o: Record<string, unknown>, k: string, v: unknown): void {
  if (v === undefined) delete o[k];
  else o[k] = v;
}
