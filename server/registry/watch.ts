// A watch on one resource: initial events, the replayed history and live events from the watch
// cache, filtered by namespace and selectors, with kube-apiserver's resourceVersion semantics.
import { ApiError, errors, field, type FieldError } from '../api/errors.js';
import { apiVersionOf, type KubeObject } from '../api/object.js';
import { parseFieldSelector } from '../selectors/fields.js';
import { parseLabelSelector } from '../selectors/labels.js';
import type { CacheEntry, CacheEvent } from '../storage/watch-cache.js';
import { type GenericStore, parseResourceVersion } from './store.js';
import type { ResourceType } from './types.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchOptions {
  resourceVersion?: string;
  resourceVersionMatch?: string;
  labelSelector?: string;
  fieldSelector?: string;
  allowWatchBookmarks: boolean;
  sendInitialEvents?: boolean;
  timeoutSeconds?: number;
  /** Watch one object (a /watch/.../name path). */
  name?: string;
}

/** Where a watch writes: one call per event, with the object as JSON text or as an object. */
export interface WatchSink {
  event(type: WatchEventType, object: string | KubeObject, obj?: () => KubeObject): void;
  /** Bytes written but not yet taken by the client. */
  queuedBytes(): number;
  close(): void;
}

export interface WatchSettings {
  bookmarkIntervalMs: number;
  /** A watcher this far behind is dropped, as kube-apiserver drops unresponsive watchers. */
  maxQueuedBytes: number;
  /** Default timeout when the client gives none: kube's min-request-timeout, randomised up to 2x. */
  minRequestTimeoutSeconds: number;
}

export const defaultWatchSettings: WatchSettings = {
  bookmarkIntervalMs: 60_000,
  maxQueuedBytes: 32 * 1024 * 1024,
  minRequestTimeoutSeconds: 1800,
};

export function validateWatchOptions(o: WatchOptions): void {
  const causes: FieldError[] = [];
  if (o.sendInitialEvents !== undefined) {
    if (o.resourceVersionMatch !== 'NotOlderThan') {
      causes.push(field.forbidden('resourceVersionMatch', "sendInitialEvents requires setting resourceVersionMatch to NotOlderThan"));
    }
    if (o.sendInitialEvents && !o.allowWatchBookmarks) {
      causes.push(field.forbidden('allowWatchBookmarks', 'allowWatchBookmarks=true is required when sendInitialEvents is set to true'));
    }
  } else if (o.resourceVersionMatch) {
    causes.push(field.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'));
  }
  if (causes.length) throw errors.invalid('ListOptions', 'meta.k8s.io', '', causes);
}

/**
 * Starts a watch and returns its stop function. Everything from choosing the starting point to
 * subscribing happens without an await, so no event can fall between the backlog and live events.
 */
export async function startWatch(
  store: GenericStore, rt: ResourceType, namespace: string, opts: WatchOptions, sink: WatchSink,
  settings: WatchSettings = store.watchSettings,
): Promise<() => void> {
  const cache = store.cache;
  if (!cache) throw errors.unavailable('watch cache is not available');
  validateWatchOptions(opts);
  const labels = parseLabelSelector(opts.labelSelector);
  const fieldSel = parseFieldSelector(opts.fieldSelector, rt.strategy.selectableFields, rt.kind, rt.version);
  const prefix = rt.namespaced && namespace ? `${rt.storagePrefix}/${namespace}/` : `${rt.storagePrefix}/`;
  const onlyKey = opts.name ? store.key(rt, namespace, opts.name) : undefined;

  const rv = opts.resourceVersion ?? '';
  const initialEvents = opts.sendInitialEvents ?? (rv === '' || rv === '0');
  await cache.start();
  if (!cache.ready) throw errors.unavailable('watch cache is initializing');
  // Unset means the most recent state (also for legacy watches and sendInitialEvents=false).
  if (rv === '') await cache.waitFresh();
  else if (rv !== '' && rv !== '0' && opts.sendInitialEvents) await cache.waitFor(parseResourceVersion(rv));
  const fromRevision = rv === '' || rv === '0' ? 0 : parseResourceVersion(rv);

  const matches = (entry: CacheEntry): boolean => {
    if (onlyKey && entry.key !== onlyKey) return false;
    if (labels.empty && fieldSel.empty) return true;
    const obj = store.cachedObject(rt, entry);
    return labels.matches(obj.metadata.labels) && fieldSel.matches(obj);
  };
  const inScope = (key: string) => key.startsWith(prefix) && (!onlyKey || key === onlyKey);

  let stopped = false;
  let lastSentRevision = 0;
  const send = (type: WatchEventType, entry: CacheEntry) => {
    sink.event(type, store.encodeEntry(rt, entry), () => JSON.parse(store.encodeEntry(rt, entry)) as KubeObject);
  };
  const deliver = (ev: CacheEvent) => {
    if (!inScope(ev.key)) return;
    const now = ev.type === 'DELETED' ? false : matches(ev.entry);
    const before = ev.prev ? matches(ev.prev) : false;
    if (ev.type === 'ADDED' && now) send('ADDED', ev.entry);
    else if (ev.type === 'MODIFIED') {
      if (now && before) send('MODIFIED', ev.entry);
      else if (now) send('ADDED', ev.entry);
      else if (before) send('DELETED', ev.entry);
    } else if (ev.type === 'DELETED' && before) send('DELETED', ev.entry);
    lastSentRevision = ev.revision;
  };

  // ---- the backlog: initial state or replayed history (synchronous from here to subscribe) ----
  let startRevision: number;
  if (initialEvents) {
    startRevision = cache.revision;
    for (const entry of cache.list(prefix)) if (inScope(entry.key) && matches(entry)) send('ADDED', entry);
    if (opts.sendInitialEvents) {
      sink.event('BOOKMARK', bookmark(rt, startRevision, true));
    }
  } else {
    // sendInitialEvents=false with resourceVersion unset or 0: no backlog, start where the cache is.
    const backlog = fromRevision === 0 ? [] : cache.eventsSince(fromRevision, prefix);
    if (!backlog) {
      const err = errors.expired(`too old resource version: ${fromRevision} (${cache.oldestResumableRevision() + 1})`);
      sink.event('ERROR', JSON.stringify(err.toStatus()));
      sink.close();
      return () => undefined;
    }
    for (const ev of backlog) deliver(ev);
    startRevision = Math.max(fromRevision, cache.revision);
  }
  lastSentRevision = Math.max(lastSentRevision, startRevision);

  const unsubscribe = cache.subscribe((events) => {
    if (stopped) return;
    for (const ev of events) if (ev.revision > startRevision) deliver(ev);
    if (sink.queuedBytes() > settings.maxQueuedBytes) {
      console.error(`watch ${rt.resource}: client too slow (${sink.queuedBytes()} bytes queued); closing`);
      stop();
    }
  });
  const unreset = cache.onReset(() => stop());

  const timers: NodeJS.Timeout[] = [];
  if (opts.allowWatchBookmarks) {
    timers.push(setInterval(() => {
      lastSentRevision = Math.max(lastSentRevision, cache.revision);
      sink.event('BOOKMARK', bookmark(rt, lastSentRevision, false));
    }, settings.bookmarkIntervalMs));
  }
  const timeoutSeconds = opts.timeoutSeconds && opts.timeoutSeconds > 0
    ? opts.timeoutSeconds
    : settings.minRequestTimeoutSeconds * (1 + Math.random());
  timers.push(setTimeout(() => stop(), timeoutSeconds * 1000));

  function stop(): void {
    if (stopped) return;
    stopped = true;
    unsubscribe();
    unreset();
    for (const t of timers) clearTimeout(t);
    sink.close();
  }
  return stop;
}

function bookmark(rt: ResourceType, revision: number, initialEventsEnd: boolean): KubeObject {
  const metadata: KubeObject['metadata'] = { resourceVersion: String(revision), creationTimestamp: null as unknown as string };
  if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
  return { kind: rt.kind, apiVersion: apiVersionOf(rt.group, rt.version), metadata };
}

export function isApiError(e: unknown): e is ApiError {
  return e instanceof ApiError;
}
