// The watch cache's event source: an ordered stream of every change under /registry/. Today one
// etcd watch feeds it; the HA issue adds a second feed (a Redis stream) behind the same interface.

export interface FeedEvent {
  type: 'put' | 'delete';
  key: string;
  /** The new value (empty for a delete). */
  value: Buffer;
  modRevision: number;
  createRevision: number;
}

/** A batch of events, whole revisions only, with the revision the feed delivered before it. */
export interface FeedBatch {
  events: FeedEvent[];
  /** The last revision of the previous batch (the revision followed from, for the first). */
  prevRevision: number;
}

export interface FeedHandlers {
  batch(batch: FeedBatch): void;
  /** The feed broke and delivers nothing more; the cache decides how to recover. */
  error(err: Error): void;
}

export interface EventFeed {
  /** Delivers every event after `afterRevision`, in order; resolves once following. */
  follow(afterRevision: number, handlers: FeedHandlers): Promise<void>;
  stop(): Promise<void>;
}
