// The etcd3 storage, per the invariants: resourceVersion = mod revision, writes are transactions.
import { circuitBreaker, ConsecutiveBreaker, handleWhen, retry } from 'cockatiel';
import { readFileSync } from 'node:fs';
import { Etcd3, type IKeyValue, type IOptions, type ITxnResponse } from 'etcd3';
import { ApiError, errors } from '../../api/errors.js';
import { continueExpired, decodeContinue, encodeContinue } from '../continue.js';
import {
  type GetOptions, type GetResult, type ListOptions, type ListResult, PreconditionFailed, type Preconditions,
  type Storage, type StoredValue, type Watch, type WatchListener, type WatchOptions,
} from '../interface.js';
import { parseResourceVersion } from '../resource-version.js';
import { watchEtcd } from './watch.js';
import { activeTracer } from '../../tracing/tracing.js';

export { PreconditionFailed, type StoredValue };

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
  /** TLS to https:// endpoints (kube's --etcd-cafile, --etcd-certfile, --etcd-keyfile): the CA to verify etcd with, the client certificate etcd requires. */
  tls?: EtcdTLSFiles;
}

export interface EtcdTLSFiles {
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

/** grpc's TLS credentials from the files; no CA file means the system's roots (grpc takes null for them). */
export function etcdCredentials(tls: EtcdTLSFiles | undefined): IOptions['credentials'] {
  if (!tls?.caFile && !tls?.certFile) return undefined;
  return {
    rootCertificate: tls.caFile ? readFileSync(tls.caFile) : (null as unknown as Buffer),
    ...(tls.certFile && tls.keyFile ? { certChain: readFileSync(tls.certFile), privateKey: readFileSync(tls.keyFile) } : {}),
  };
}

/** grpc-js refuses messages over 4 MiB by default; a watch catching up on large objects sends more. */
const maxReceiveMessageBytes = 1024 * 1024 * 1024;

/** A connection that was never made (refused, none established): the call cannot have been applied. */
export function neverReachedEtcd(e: Error): boolean {
  return /No connection established|ECONNREFUSED|connection refused/i.test(e?.message ?? '');
}

/** Told about every etcd call (kube's RecordEtcdRequest): its operation, the key or prefix, how long, whether it failed. */
export type EtcdCallObserver = (operation: EtcdOperation, key: string, seconds: number, failed: boolean) => void;

/** kube's operation names; a count-only range for the current revision is reported as kube's GetCurrentResourceVersion list. */
export type EtcdOperation = 'get' | 'list' | 'create' | 'update' | 'delete';

export class EtcdStorage implements Storage {
  readonly client: Etcd3;
  private readonly timeoutMs: number;
  /** Set by the server to record etcd_request_duration_seconds. */
  observe?: EtcdCallObserver;

  constructor(opts: StorageOptions) {
    this.timeoutMs = opts.requestTimeoutMs ?? 5000;
    this.client = new Etcd3({
      hosts: opts.endpoints,
      credentials: etcdCredentials(opts.tls),
      dialTimeout: 3000,
      grpcOptions: { 'grpc.max_receive_message_length': maxReceiveMessageBytes },
      faultHandling: {
        // A member that refuses a connection is passed over for a second, then tried again: a dead
        // etcd still answers fast (503) and a returning member is used again at once.
        host: () => circuitBreaker(handleWhen(neverReachedEtcd), { halfOpenAfter: 1000, breaker: new ConsecutiveBreaker(1) }),
        // A call that never reached a member goes to the next one; one that may have been applied is never repeated.
        global: retry(handleWhen(neverReachedEtcd), { maxAttempts: Math.max(1, opts.endpoints.length - 1) }),
      },
      defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + this.timeoutMs }),
    });
  }

  /** The newest state: etcd reads are linearizable, so every resourceVersion asked for is met. */
  async get(key: string, opts: GetOptions = {}): Promise<GetResult> {
    if (opts.resourceVersion) parseResourceVersion(opts.resourceVersion);
    const res = await this.call('get', key, () => this.client.kv.range({ key: Buffer.from(key) }));
    const kv = res.kvs[0];
    return { value: kv ? toStored(kv) : null, revision: Number(res.header.revision) };
  }

  /** A list read from etcd: at the newest revision, at an exact one, or continuing a paginated list. */
  async list(prefix: string, opts: ListOptions): Promise<ListResult> {
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const predicate = opts.predicate;
    let start = prefix;
    let revision = 0;
    if (opts.continue) {
      const token = decodeContinue(opts.continue, prefix);
      start = token.start;
      revision = token.rv;
      if (revision > 0) {
        try {
          await this.range(prefix, start, 1, revision);
        } catch (e) {
          if (e instanceof ApiError && e.code === 410) throw continueExpired(token.start, prefix);
          throw e;
        }
      } else revision = 0;
    } else if (opts.resourceVersion && opts.resourceVersion !== '0' && opts.resourceVersionMatch === 'Exact') {
      revision = parseResourceVersion(opts.resourceVersion);
    }

    const items: StoredValue[] = [];
    let more = false;
    let readRevision = revision;
    let lastKey = '';
    // With a predicate, a page of etcd keys may match fewer than `limit` values: read on until full.
    for (;;) {
      const page = await this.range(prefix, start, limit, readRevision);
      if (!readRevision) readRevision = page.revision;
      for (const sv of page.items) {
        if (limit && items.length >= limit) {
          more = true;
          break;
        }
        if (!predicate || predicate(sv)) items.push(sv);
      }
      if (limit && items.length >= limit) {
        if (!more) more = page.more;
        lastKey = items[items.length - 1].key;
        break;
      }
      if (!page.more || !page.items.length) break;
      start = page.items[page.items.length - 1].key + '\x00';
    }
    const out: ListResult = { items, revision: readRevision };
    if (more) {
      out.continue = encodeContinue(readRevision, lastKey + '\x00', prefix);
      if (!predicate) out.remainingItemCount = (await this.range(prefix, lastKey + '\x00', 0, readRevision)).count;
    }
    return out;
  }

  /** A watch straight from etcd; in a server the cacher serves watches from its cache instead. */
  watch(prefix: string, opts: WatchOptions, listener: WatchListener): Promise<Watch> {
    return watchEtcd(this, prefix, opts, listener);
  }

  ready(): boolean {
    return true;
  }

  /** Keys from `start` (inclusive) up to the end of `prefix`, at `revision` (0 = newest). */
  async range(prefix: string, start: string, limit: number, revision: number): Promise<RangeResult> {
    const res = await this.call('list', prefix, () => this.client.kv.range({
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
    const res = await this.call('list', '', () => this.client.kv.range({ key: Buffer.from('/registry/__revision__'), count_only: true }));
    return Number(res.header.revision);
  }

  /** Create only if the key does not exist. Returns the new mod revision. */
  async create(key: string, value: Buffer): Promise<number> {
    const k = Buffer.from(key);
    const res = await this.call('create', key, () => this.client.kv.txn({
      compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
      success: [{ request_put: { key: k, value } }],
      failure: [{ request_range: { key: k } }],
    }));
    if (!res.succeeded) throw new PreconditionFailed(firstKv(res));
    return Number(res.header.revision);
  }

  /** Replace only if the key is still at `modRevision`. Returns the new mod revision. */
  async update(key: string, value: Buffer, preconditions: Preconditions): Promise<number> {
    const k = Buffer.from(key);
    const modRevision = preconditions.modRevision;
    const res = await this.call('update', key, () => this.client.kv.txn({
      compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: modRevision }],
      success: [{ request_put: { key: k, value } }],
      failure: [{ request_range: { key: k } }],
    }));
    if (!res.succeeded) throw new PreconditionFailed(firstKv(res));
    return Number(res.header.revision);
  }

  /** Delete only if the key is still at `modRevision`. Returns the revision of the delete. */
  async delete(key: string, preconditions: Preconditions): Promise<number> {
    const k = Buffer.from(key);
    const modRevision = preconditions.modRevision;
    const res = await this.call('delete', key, () => this.client.kv.txn({
      compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: modRevision }],
      success: [{ request_delete_range: { key: k } }],
      failure: [{ request_range: { key: k } }],
    }));
    if (!res.succeeded) throw new PreconditionFailed(firstKv(res));
    return Number(res.header.revision);
  }

  async compact(revision: number): Promise<void> {
    // Not reported: kube's compactor is not one of the storage's requests either.
    await this.call(undefined, '', () => this.client.kv.compact({ revision, physical: false }));
  }

  close(): void {
    this.client.close();
  }

  /** Runs one etcd call, reports it, and maps transport failures to the Status kube-apiserver would send. */
  private async call<T>(operation: EtcdOperation | undefined, key: string, fn: () => Promise<T>): Promise<T> {
    const start = performance.now();
    // A child of the request's span, when tracing is on and a request is current.
    const span = activeTracer()?.startChild(`etcd ${operation ?? 'compact'}`, { 'db.system.name': 'etcd', 'db.operation.name': operation ?? 'compact', 'k8s.etcd.key': key });
    let failed = true;
    try {
      const res = await fn();
      failed = false;
      return res;
    } catch (e) {
      const err = storageError(e);
      if (span) activeTracer()?.fail(span, err);
      throw err;
    } finally {
      span?.end();
      if (this.observe && operation) this.observe(operation, key, (performance.now() - start) / 1000, failed);
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

