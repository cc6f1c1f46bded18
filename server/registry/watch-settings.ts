// How watches are served: bookmarks, the slow-client limit and the default timeout.

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
