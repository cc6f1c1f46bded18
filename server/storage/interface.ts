// The storage interface, in the shape of k8s.io/apiserver's storage.Interface: the generic store
// calls only this. Values are the stored bytes; revisions are explicit in every signature.
import type { ApiError } from '../api/errors.js';

/** One stored value with its revisions. Cacher entries also keep encodings already produced. */
export interface StoredValue {
  key: string;
  value: Buffer;
  modRevision: number;
  createRevision: number;
  /** Encodings of this value already produced, by a caller-chosen tag (kept on cache entries). */
  encoded?: Map<string, unknown>;
}

export interface GetOptions {
  /** kube's semantics: unset = the most recent state, "0" = any state, N = not older than N. */
  resourceVersion?: string;
  /**
   * The read of a read-modify-write (update, delete): its mod revision becomes the write's
   * precondition. The cacher serves it from etcd, as kube's GuaranteedUpdate reads etcd.
   */
  forUpdate?: boolean;
}

export interface GetResult {
  value: StoredValue | null;
  /** The revision the read reflects. */
  revision: number;
}

/** Decides whether a value belongs in a list or watch (label and field selectors). */
export type Predicate = (value: StoredValue) => boolean;

export interface ListOptions {
  resourceVersion?: string;
  resourceVersionMatch?: string;
  limit?: number;
  continue?: string;
  predicate?: Predicate;
}

export interface ListResult {
  items: StoredValue[];
  /** The revision the list was read at. */
  revision: number;
  continue?: string;
  /** Items left after this page; only counted without a predicate. */
  remainingItemCount?: number;
}

/** Writes happen only if the key is still at this mod revision (kube's guaranteed update). */
export interface Preconditions {
  modRevision: number;
}

/** Thrown by writes whose precondition failed; the generic store turns it into the right Status. */
export class PreconditionFailed extends Error {
  constructor(readonly current: StoredValue | null) {
    super('precondition failed');
  }
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchOptions {
  /** kube's semantics: unset = now (with initial state), "0" = any (with initial state), N = after N. */
  resourceVersion?: string;
  sendInitialEvents?: boolean;
  predicate?: Predicate;
  /** Watch one key only. */
  key?: string;
}

/** Where a storage watch delivers, in revision order. */
export interface WatchListener {
  event(type: WatchEventType, value: StoredValue): void;
  /** The end of the initial events (sendInitialEvents=true). */
  initialEventsEnd(revision: number): void;
  /** The watch cannot start or go on (410 Expired); close follows. */
  error(err: ApiError): void;
  /** The storage ended the watch (resync, stop). */
  close(): void;
}

export interface Watch {
  stop(): void;
  /** The revision this watch has reached (for bookmarks). */
  revision(): number;
}

export interface Storage {
  get(key: string, opts?: GetOptions): Promise<GetResult>;
  /** Keys under `prefix` in key order. */
  list(prefix: string, opts: ListOptions): Promise<ListResult>;
  watch(prefix: string, opts: WatchOptions, listener: WatchListener): Promise<Watch>;
  /** Create only if the key does not exist. Returns the new mod revision. */
  create(key: string, value: Buffer): Promise<number>;
  /** Replace only if the preconditions hold. Returns the new mod revision. */
  update(key: string, value: Buffer, preconditions: Preconditions): Promise<number>;
  /** Delete only if the preconditions hold. Returns the revision of the delete. */
  delete(key: string, preconditions: Preconditions): Promise<number>;
  currentRevision(): Promise<number>;
  compact(revision: number): Promise<void>;
  /** False while reads cannot be served as asked (a cache resyncing). */
  ready(): boolean;
}
