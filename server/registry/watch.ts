// A watch on one resource: options checked, selectors made a predicate, the storage's events
// written to the client as JSON, with bookmarks, a timeout and the slow-client limit.
import { ApiError, errors, field, type FieldError } from '../api/errors.js';
import { parseExactJSON, stringifyJSON } from '../api/json.js';
import { apiVersionOf, type KubeObject } from '../api/object.js';
import type { StoredValue, Watch, WatchEventType as StorageEventType, WatchListener } from '../storage/interface.js';
import type { GenericStore } from './store.js';
import type { ResourceType } from './types.js';
import type { WatchSettings } from './watch-settings.js';
import { logger } from '../logging/logger.js';

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

export { defaultWatchSettings, type WatchSettings } from './watch-settings.js';

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

/** Starts a watch and returns its stop function; the storage serves the events in order. */
export async function startWatch(
  store: GenericStore, rt: ResourceType, namespace: string, opts: WatchOptions, sink: WatchSink,
  settings: WatchSettings = store.watchSettings,
): Promise<() => void> {
  validateWatchOptions(opts);
  const predicate = store.predicate(rt, opts.labelSelector, opts.fieldSelector);
  const prefix = store.listPrefix(rt, namespace);
  const timers: NodeJS.Timeout[] = [];
  let stopped = false;
  let watch: Watch | undefined;
  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    store.openWatches.delete(stop);
    for (const t of timers) clearTimeout(t);
    watch?.stop();
    sink.close();
  };
  store.openWatches.add(stop);
  const sent = store.watchEventSent;
  if (sent) {
    // Every event sent, bookmarks and errors too, as kube counts them; the size is the object's encoding.
    const event = sink.event.bind(sink);
    sink = { ...sink, event(type, object, parse) {
      sent(rt, typeof object === 'string' ? Buffer.byteLength(object) : Buffer.byteLength(stringifyJSON(object)));
      event(type, object, parse);
    } };
  }
  const listener: WatchListener = {
    event(type: StorageEventType, value: StoredValue) {
      if (stopped) return;
      sink.event(type, store.encodeEntry(rt, value), () => parseExactJSON(store.encodeEntry(rt, value)) as KubeObject);
      if (sink.queuedBytes() > settings.maxQueuedBytes) {
        logger.error(`watch ${rt.resource}: client too slow (${sink.queuedBytes()} bytes queued); closing`);
        stop();
      }
    },
    initialEventsEnd(revision) {
      sink.event('BOOKMARK', bookmark(rt, revision, true));
    },
    error(err) {
      sink.event('ERROR', JSON.stringify(err.toStatus()));
    },
    close: () => stop(),
  };
  watch = await store.storage.watch(prefix, {
    resourceVersion: opts.resourceVersion, sendInitialEvents: opts.sendInitialEvents, predicate,
    key: opts.name ? store.key(rt, namespace, opts.name) : undefined,
  }, listener);
  if (stopped) return stop;

  if (opts.allowWatchBookmarks) {
    const w = watch;
    timers.push(setInterval(() => sink.event('BOOKMARK', bookmark(rt, w.revision(), false)), settings.bookmarkIntervalMs));
  }
  const timeoutSeconds = opts.timeoutSeconds && opts.timeoutSeconds > 0
    ? opts.timeoutSeconds
    : settings.minRequestTimeoutSeconds * (1 + Math.random());
  timers.push(setTimeout(() => stop(), timeoutSeconds * 1000));
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
