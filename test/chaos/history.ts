// etcd's own record of what happened to ConfigMaps (its watch history from a revision, read straight
// from the etcd cluster), and what a watcher of a selection must have seen, derived from it.
import { Etcd3 } from 'etcd3';
import type { WatchEvent } from '../support/watch.js';

export const configMapPrefix = '/registry/configmaps/';

export interface StoredEvent { type: 'ADDED' | 'MODIFIED' | 'DELETED'; key: string; rv: string; object: any }

/** `ns/name` from `/registry/configmaps/ns/name`. */
const keyOf = (etcdKey: string) => etcdKey.slice(configMapPrefix.length);

/** Every ConfigMap event etcd holds after `fromRevision`, up to and including `untilRevision`, in order. */
export async function etcdHistory(endpoints: string[], fromRevision: number, untilRevision: number, timeoutMs = 60000): Promise<StoredEvent[]> {
  const client = new Etcd3({ hosts: endpoints });
  const events: StoredEvent[] = [];
  try {
    const watcher = await client.watch().prefix(configMapPrefix).startRevision(String(fromRevision + 1)).create();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`etcd history: ${events.length} events, none at ${untilRevision} after ${timeoutMs} ms`)), timeoutMs);
      const check = () => {
        if (events.length && Number(events[events.length - 1].rv) >= untilRevision) {
          clearTimeout(timer);
          resolve();
        }
      };
      watcher.on('data', (res) => {
        for (const e of res.events) {
          const rv = e.kv.mod_revision;
          if (Number(rv) > untilRevision) continue;
          const key = keyOf(e.kv.key.toString());
          if (e.type === 'Delete') events.push({ type: 'DELETED', key, rv, object: undefined });
          else events.push({ type: e.kv.version === '1' ? 'ADDED' : 'MODIFIED', key, rv, object: JSON.parse(e.kv.value.toString()) });
        }
        check();
      });
      watcher.on('error', (err) => { clearTimeout(timer); reject(err); });
    });
    await watcher.cancel();
  } finally {
    client.close();
  }
  return events;
}

/** The ConfigMaps etcd holds now: `ns/name` -> resourceVersion (mod revision) and object. */
export async function etcdState(endpoints: string[]): Promise<Map<string, { rv: string; object: any }>> {
  const client = new Etcd3({ hosts: endpoints });
  try {
    const res = await client.getAll().prefix(configMapPrefix).exec();
    return new Map(res.kvs.map((kv) => [keyOf(kv.key.toString()), { rv: kv.mod_revision, object: JSON.parse(kv.value.toString()) }]));
  } finally {
    client.close();
  }
}

export interface Selection { name: string; ns?: string; color?: string }

export const matches = (s: Selection, o: any) =>
  (!s.ns || o.metadata.namespace === s.ns) && (!s.color || o.metadata.labels?.color === s.color);

export const watchPath = (s: Selection) => `${s.ns ? `/api/v1/namespaces/${s.ns}` : '/api/v1'}/configmaps`;

export type Seen = [type: string, key: string, rv: string];

export const seen = (events: WatchEvent[]): Seen[] =>
  events.map((e) => [e.type, `${e.object.metadata.namespace}/${e.object.metadata.name}`, e.object.metadata.resourceVersion]);

/**
 * What a watcher of `s` started at the initial LIST must see: an object entering the selection is
 * ADDED, one changing inside it MODIFIED, one leaving it (label flip or deletion) DELETED.
 */
export function expectedFor(s: Selection, history: StoredEvent[], initial: Map<string, any>): Seen[] {
  const inSel = new Map<string, boolean>();
  for (const [k, o] of initial) inSel.set(k, matches(s, o));
  const out: Seen[] = [];
  for (const e of history) {
    const was = inSel.get(e.key) ?? false;
    const now = e.type !== 'DELETED' && matches(s, e.object);
    if (was && now) out.push(['MODIFIED', e.key, e.rv]);
    else if (now) out.push(['ADDED', e.key, e.rv]);
    else if (was) out.push(['DELETED', e.key, e.rv]);
    inSel.set(e.key, now);
  }
  return out;
}
