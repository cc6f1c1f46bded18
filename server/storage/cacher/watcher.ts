// One watch served from an event source (the watch cache, or the in-memory storage): the initial
// state or the replayed history, then live events, each passed through the watch's predicate the
// way kube's cacheWatcher does (an object leaving the predicate is DELETED for this watcher).
import { errors } from '../../api/errors.js';
import type { StoredValue, Watch, WatchListener } from '../interface.js';
import type { CacheEvent, CacheListener } from './watch-cache.js';

/** What a watch needs from the cache it is served from. */
export interface WatchSource {
  readonly revision: number;
  entries(prefix: string): StoredValue[];
  /** Events after `revision` under `prefix`, or undefined when the history no longer reaches back. */
  eventsSince(revision: number, prefix: string): CacheEvent[] | undefined;
  oldestResumableRevision(): number;
  subscribe(listener: CacheListener): () => void;
  onReset(listener: () => void): () => void;
}

export interface SourceWatchOptions {
  /** 0 = from the current state. */
  fromRevision: number;
  /** Send the current state as ADDED events first. */
  initialEvents: boolean;
  /** Close the initial events with the initial-events-end bookmark. */
  initialEventsEnd: boolean;
  predicate?: (value: StoredValue) => boolean;
  key?: string;
}

/**
 * Starts a watch. Everything from choosing the starting point to subscribing runs without an await,
 * so no event can fall between the backlog and live events.
 */
export function watchSource(source: WatchSource, prefix: string, opts: SourceWatchOptions, listener: WatchListener): Watch {
  const onlyKey = opts.key;
  const predicate = opts.predicate;
  const matches = (entry: StoredValue): boolean => {
    if (onlyKey && entry.key !== onlyKey) return false;
    return !predicate || predicate(entry);
  };
  const inScope = (key: string) => key.startsWith(prefix) && (!onlyKey || key === onlyKey);

  let stopped = false;
  let lastSentRevision = 0;
  const deliver = (ev: CacheEvent) => {
    if (!inScope(ev.key)) return;
    const now = ev.type === 'DELETED' ? false : matches(ev.entry);
    const before = ev.prev ? matches(ev.prev) : false;
    if (ev.type === 'ADDED' && now) listener.event('ADDED', ev.entry);
    else if (ev.type === 'MODIFIED') {
      if (now && before) listener.event('MODIFIED', ev.entry);
      else if (now) listener.event('ADDED', ev.entry);
      else if (before) listener.event('DELETED', ev.entry);
    } else if (ev.type === 'DELETED' && before) listener.event('DELETED', ev.entry);
    lastSentRevision = ev.revision;
  };

  let startRevision: number;
  if (opts.initialEvents) {
    startRevision = source.revision;
    for (const entry of source.entries(prefix)) if (inScope(entry.key) && matches(entry)) listener.event('ADDED', entry);
    if (opts.initialEventsEnd) listener.initialEventsEnd(startRevision);
  } else {
    const backlog = opts.fromRevision === 0 ? [] : source.eventsSince(opts.fromRevision, prefix);
    if (!backlog) {
      listener.error(errors.expired(`too old resource version: ${opts.fromRevision} (${source.oldestResumableRevision() + 1})`));
      listener.close();
      return { stop: () => undefined, revision: () => opts.fromRevision };
    }
    for (const ev of backlog) deliver(ev);
    startRevision = Math.max(opts.fromRevision, source.revision);
  }
  lastSentRevision = Math.max(lastSentRevision, startRevision);

  const unsubscribe = source.subscribe((events) => {
    for (const ev of events) {
      if (stopped) return;
      if (ev.revision > startRevision) deliver(ev);
    }
  });
  const unreset = source.onReset(() => stop());

  function stop(): void {
    if (stopped) return;
    stopped = true;
    unsubscribe();
    unreset();
    listener.close();
  }
  return {
    stop,
    revision: () => {
      lastSentRevision = Math.max(lastSentRevision, source.revision);
      return lastSentRevision;
    },
  };
}
