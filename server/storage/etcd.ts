// Storage on etcd, per the invariants: resourceVersion = mod revision, writes are transactions.
import { noop } from 'cockatiel';
import { Etcd3, type IKeyValue, type ITxnResponse } from 'etcd3';
import { ApiError, errors } from '../api/errors.js';

/** One stored value as etcd holds it, with its revisions. */
export interface StoredValue {
  key: string;
  value: Buffer;
  modRevision: number;
  createRevision: number;
}

export interface RangeResult {
  items: StoredValue[];
  /** The etcd revision the range was read at. */
  revision: number;
  more: boolean;
  /** Keys in the range (from the start key on), used for remainingItemCount. */
  count: number;
}

export interface StorageOptions {
  endpoints: string[];
  /** Per-call deadline; past it the call fails with 504/503 instead of hanging. */
  requestTimeoutMs?: number;
}

/** Thrown by write preconditions; the generic store turns it into the right Status. */
export class PreconditionFailed extends Error {
  constructor(readonly current: StoredValue | null) {
    super('precondition failed');
  }
}

export class EtcdStorage {
  readonly client: Etcd3;
  private readonly timeoutMs: number;

  constructor(opts: StorageOptions) {
    this.timeoutMs = opts.requestTimeoutMs ?? 5000;
    this.client = new Etcd3({
      hosts: opts.endpoints,
      dialTimeout: 3000,
      // A dead etcd must answer fast (503) and recover by itself: no breaker that keeps the door shut.
      faultHandling: { host: () => noop, global: noop },
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + this.timeoutMs }),
    });
  }

  async get(key: string): Promise<{ value: StoredValue | null; revision: number }> {
    const res = await this.call(() => this.client.kv.range({ key: Buffer.from(key) }));
    const kv = res.kvs[0];
    return { value: kv ? toStored(kv) : null, revision: Number(res.header.revision) };
  }

  /** Keys from `start` (inclusive) up to the end of `prefix`, at `revision` (0 = newest). */
  async range(prefix: string, start: string, limit: number, revision: number): Promise<RangeResult> {
    const res = await this.call(() => this.client.kv.range({
      key: Buffer.from(start),
      range_end: prefixEnd(Buffer.from(prefix)),
      limit: limit > 0 ? limit : 0,
      revision: revision > 0 ? revision : 0,
    })).catch(async (e: unknown) => {
      if (revision > 0 && /future revision/.test(String((e as Error).message))) throw errors.tooLargeResourceVersion(revision, await this.currentRevision());
      throw e;
    });
    return {
      items: res.kvs.map(toStored),
      revision: Number(res.header.revision),
      more: Boolean(res.more),
      count: Number(res.count),
    };
  }

  /** The newest revision etcd has, cheaply (a count-only range on a key that never exists). */
  async currentRevision(): Promise<number> {
    const res = await this.call(() => this.client.kv.range({ key: Buffer.from('/registry/__revision__'), count_only: true }));
    return Number(res.header.revision);
  }

  /** The newest mod revision among keys under `prefix` (0 when there are none). */
  async latestRevisionUnder(prefix: string): Promise<number> {
    const res = await this.call(() => this.client.kv.range({
      key: Buffer.from(prefix), range_end: prefixEnd(Buffer.from(prefix)), limit: 1,
      sort_order: 'Descend', sort_target: 'Mod', keys_only: true,
    }));
    return res.kvs.length ? Number(res.kvs[0].mod_revision) : 0;
  }

  /** Create only if the key does not exist. Returns the new mod revision. */
  async create(key: string, value: Buffer): Promise<number> {
    const k = Buffer.from(key);
    const res = await this.call(() => this.client.kv.txn({
      compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
      success: [{ request_put: { key: k, value } }],
      failure: [{ request_range: { key: k } }],
    }));
    if (!res.succeeded) throw new PreconditionFailed(firstKv(res));
    return Number(res.header.revision);
  }

  /** Replace only if the key is still at `modRevision`. Returns the new mod revision. */
  async update(key: string, value: Buffer, modRevision: number): Promise<number> {
    const k = Buffer.from(key);
    const res = await this.call(() => this.client.kv.txn({
      compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: modRevision }],
      success: [{ request_put: { key: k, value } }],
      failure: [{ request_range: { key: k } }],
    }));
    if (!res.succeeded) throw new PreconditionFailed(firstKv(res));
    return Number(res.header.revision);
  }

  /** Delete only if the key is still at `modRevision`. Returns the revision of the delete. */
  async delete(key: string, modRevision: number): Promise<number> {
    const k = Buffer.from(key);
    const res = await this.call(() => this.client.kv.txn({
      compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: modRevision }],
      success: [{ request_delete_range: { key: k } }],
      failure: [{ request_range: { key: k } }],
    }));
    if (!res.succeeded) throw new PreconditionFailed(firstKv(res));
    return Number(res.header.revision);
  }

  async compact(revision: number): Promise<void> {
    await this.call(() => this.client.kv.compact({ revision, physical: false }));
  }

  close(): void {
    this.client.close();
  }

  /** Runs one etcd call and maps transport failures to the Status kube-apiserver would send. */
  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw storageError(e);
    }
  }
}

export function storageError(e: unknown): ApiError {
  if (e instanceof ApiError) return e;
  if (e instanceof PreconditionFailed) throw e;
  const msg = e instanceof Error ? e.message : String(e);
  if (/compacted/i.test(msg)) return errors.expired('The resourceVersion for the provided list is too old.');
  if (/deadline|timed out|timeout/i.test(msg)) return errors.timeout('etcd request timed out: ' + msg);
  if (/unavailable|connect|ECONNREFUSED|no connection|circuit|closed/i.test(msg)) {
    return errors.unavailable('etcd is unavailable: ' + msg);
  }
  return errors.internal(msg);
}

function toStored(kv: IKeyValue): StoredValue {
  return {
    key: kv.key.toString(),
    value: kv.value,
    modRevision: Number(kv.mod_revision),
    createRevision: Number(kv.create_revision),
  };
}

function firstKv(res: ITxnResponse): StoredValue | null {
  const kv = res.responses[0]?.response_range?.kvs[0];
  return kv ? toStored(kv) : null;
}

/** The smallest key greater than every key starting with `prefix`. */
export function prefixEnd(prefix: Buffer): Buffer {
  const end = Buffer.from(prefix);
  for (let i = end.length - 1; i >= 0; i--) {
    if (end[i] < 0xff) {
      end[i]++;
      return end.subarray(0, i + 1);
    }
  }
  return Buffer.from([0]);
}

