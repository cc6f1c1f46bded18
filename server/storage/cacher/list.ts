// A LIST served from the watch cache at its current revision: key order, limit, continue token
// and remainingItemCount as etcd would give them at that revision.
import { encodeContinue } from '../continue.js';
import type { ListResult, Predicate, StoredValue } from '../interface.js';

/** A cache's current state: its revision, and values under a prefix in key order from `start`. */
export interface ListSource {
  readonly revision: number;
  entries(prefix: string, start?: string): StoredValue[];
}

/** Runs without awaiting: the cache cannot move under this snapshot. */
export function listFromCache(cache: ListSource, prefix: string, limit: number, predicate: Predicate | undefined, start = prefix): ListResult {
  const revision = cache.revision;
  const entries = cache.entries(prefix, start);
  const items: StoredValue[] = [];
  let lastKey = '';
  let i = 0;
  for (; i < entries.length; i++) {
    if (limit && items.length >= limit) break;
    const entry = entries[i];
    if (predicate && !predicate(entry)) continue;
    items.push(entry);
    lastKey = entry.key;
  }
  const out: ListResult = { items, revision };
  let more = false;
  if (limit && i < entries.length) {
    if (predicate) {
      for (let j = i; j < entries.length && !more; j++) more = predicate(entries[j]);
    } else more = true;
  }
  if (more) {
    out.continue = encodeContinue(revision, lastKey + '\x00', prefix);
    if (!predicate) out.remainingItemCount = entries.length - i;
  }
  return out;
}
