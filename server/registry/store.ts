// The generic store: every verb implemented once; what differs per resource lives in its strategy.
import { randomUUID } from 'node:crypto';
import { ApiError, errors, type FieldError, field, type GroupResource } from '../api/errors.js';
import { apiVersionOf, clone, type KubeList, type KubeObject } from '../api/object.js';
import { parseFieldSelector } from '../selectors/fields.js';
import { parseLabelSelector } from '../selectors/labels.js';
import { validateAgainstSchema } from '../schema/validate.js';
import { type EtcdStorage, PreconditionFailed, type StoredValue } from '../storage/etcd.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../validation/meta.js';
import type { CacheEntry, WatchCache } from '../storage/watch-cache.js';
import { defaultWatchSettings, type WatchSettings } from './watch.js';
import type { TypeRegistry } from './registry.js';
import type { GracefulDeletion, ResourceType, StrategyContext, StrategyServices } from './types.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

export interface WriteOptions {
  dryRun: boolean;
  fieldValidation: FieldValidation;
  /** Warnings collected for `Warning: 299` headers. */
  warnings: string[];
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  resourceVersion?: string;
  resourceVersionMatch?: string;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
  orphanDependents?: boolean;
}

export interface DeleteResult {
  /** The object as it is now: deleted, or still present and waiting on finalizers. */
  object: KubeObject;
  /** False when the object stays (finalizers, graceful deletion). */
  deleted: boolean;
}

const maxConflictRetries = 10;
const generateNameAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** Keys the store owns in metadata: a client cannot set them. */
const systemMeta = ['uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'generation', 'selfLink'] as const;

export class GenericStore {
  constructor(
    private readonly storage: EtcdStorage,
    private readonly types: TypeRegistry,
    private readonly services: StrategyServices,
    /** Serves GET, LIST and WATCH when present; writes always go to etcd. */
    readonly cache?: WatchCache,
    readonly watchSettings: WatchSettings = defaultWatchSettings,
  ) {}

  // ---- keys --------------------------------------------------------------------------------

  key(rt: ResourceType, namespace: string, name: string): string {
    return rt.namespaced ? `${rt.storagePrefix}/${namespace}/${name}` : `${rt.storagePrefix}/${name}`;
  }

  private listPrefix(rt: ResourceType, namespace: string): string {
    return rt.namespaced && namespace ? `${rt.storagePrefix}/${namespace}/` : `${rt.storagePrefix}/`;
  }

  // ---- decoding what etcd holds ------------------------------------------------------------

  /** Bytes from etcd to the object in the requested version, with resourceVersion set. */
  decode(rt: ResourceType, sv: StoredValue): KubeObject {
    const obj = JSON.parse(sv.value.toString()) as KubeObject;
    obj.metadata.resourceVersion = String(sv.modRevision);
    return this.fromStorage(rt, obj);
  }

  private fromStorage(rt: ResourceType, obj: KubeObject): KubeObject {
    const out = rt.conversion ? rt.conversion.fromStorage(obj) : obj;
    out.apiVersion = apiVersionOf(rt.group, rt.version);
    out.kind = rt.kind;
    return out;
  }

  private toStorage(rt: ResourceType, obj: KubeObject): KubeObject {
    const converted = rt.conversion ? rt.conversion.toStorage(clone(obj)) : clone(obj);
    // apiVersion, kind, metadata first: cached bytes then take a resourceVersion by splicing (see encodeEntry).
    const { apiVersion: _a, kind, metadata, ...rest } = converted;
    void _a;
    const out: KubeObject = { apiVersion: rt.storageVersion, kind: rt.conversion ? kind : rt.kind, metadata, ...rest };
    delete out.metadata.resourceVersion;
    delete out.metadata.selfLink;
    return out;
  }

  private encode(obj: KubeObject): Buffer {
    return Buffer.from(JSON.stringify(obj));
  }

  // ---- reads -------------------------------------------------------------------------------

  async get(rt: ResourceType, namespace: string, name: string, resourceVersion?: string): Promise<KubeObject> {
    return JSON.parse(await this.getEncoded(rt, namespace, name, resourceVersion)) as KubeObject;
  }

  /** The object as JSON text, from the watch cache's kept encoding when it has one. */
  async getEncoded(rt: ResourceType, namespace: string, name: string, resourceVersion?: string): Promise<string> {
    const key = this.key(rt, namespace, name);
    if (this.cache?.ready) {
      await this.cacheAt(resourceVersion);
      const entry = this.cache.get(key);
      if (!entry) throw errors.notFound(gr(rt), name);
      return this.encodeEntry(rt, entry);
    }
    const { value } = await this.storage.get(key);
    if (!value) throw errors.notFound(gr(rt), name);
    return JSON.stringify(this.decode(rt, value));
  }

  /** Brings the cache to the state a read with this resourceVersion must see. */
  private async cacheAt(resourceVersion: string | undefined): Promise<void> {
    const cache = this.cache!;
    if (resourceVersion === '0') return;
    if (!resourceVersion) return cache.waitFresh();
    await cache.waitFor(parseResourceVersion(resourceVersion));
  }

  /** JSON text of a cached entry in the resource's version, with resourceVersion; kept on the entry. */
  encodeEntry(rt: ResourceType, entry: CacheEntry): string {
    const tag = `${rt.group}/${rt.version}`;
    const kept = entry.encoded?.get(tag);
    if (typeof kept === 'string') return kept;
    let text: string | undefined;
    if (!rt.conversion) {
      const head = `{"apiVersion":${JSON.stringify(rt.storageVersion)},"kind":${JSON.stringify(rt.kind)},"metadata":{`;
      const raw = entry.value.toString();
      if (raw.startsWith(head)) {
        const rv = `"resourceVersion":"${entry.modRevision}"`;
        text = head + rv + (raw[head.length] === '}' ? '' : ',') + raw.slice(head.length);
      }
    }
    text ??= JSON.stringify(this.decode(rt, entry));
    (entry.encoded ??= new Map()).set(tag, text);
    return text;
  }

  /** The parsed stored object of a cached entry (read-only, shared). */
  cachedObject(rt: ResourceType, entry: CacheEntry): KubeObject {
    const tag = `obj:${rt.group}/${rt.version}`;
    const kept = entry.encoded?.get(tag);
    if (kept) return kept as KubeObject;
    const obj = this.decode(rt, entry);
    (entry.encoded ??= new Map()).set(tag, obj);
    return obj;
  }

  async list(rt: ResourceType, namespace: string, opts: ListOptions): Promise<KubeList> {
    const encoded = await this.listEncoded(rt, namespace, opts);
    return { ...encoded.list, items: encoded.items.map((t) => JSON.parse(t) as KubeObject) };
  }

  /** LIST as list metadata plus each item's JSON text, served from the watch cache where it can be. */
  async listEncoded(rt: ResourceType, namespace: string, opts: ListOptions): Promise<{ list: Omit<KubeList, 'items'>; items: string[] }> {
    const exact = opts.resourceVersionMatch === 'Exact' || Boolean(opts.continue);
    if (opts.resourceVersionMatch && !['Exact', 'NotOlderThan'].includes(opts.resourceVersionMatch)) {
      throw errors.invalid('ListOptions', 'meta.k8s.io', '', [field.notSupported('resourceVersionMatch', opts.resourceVersionMatch, ['Exact', 'NotOlderThan'])]);
    }
    if (opts.resourceVersionMatch && !opts.resourceVersion && !opts.continue) {
      throw errors.invalid('ListOptions', 'meta.k8s.io', '', [field.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided')]);
    }
    if (opts.resourceVersionMatch === 'Exact' && opts.resourceVersion === '0') {
      throw errors.invalid('ListOptions', 'meta.k8s.io', '', [field.forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"')]);
    }
    if (this.cache?.ready && !exact) return this.listFromCache(rt, namespace, opts);
    const list = await this.listFromEtcd(rt, namespace, opts);
    const { items, ...rest } = list;
    return { list: rest, items: items.map((o) => JSON.stringify(o)) };
  }

  private async listFromCache(rt: ResourceType, namespace: string, opts: ListOptions): Promise<{ list: Omit<KubeList, 'items'>; items: string[] }> {
    const cache = this.cache!;
    const labels = parseLabelSelector(opts.labelSelector);
    const fields = parseFieldSelector(opts.fieldSelector, rt.strategy.selectableFields, rt.kind, rt.version);
    await this.cacheAt(opts.resourceVersion);
    // Everything below runs without awaiting: the cache cannot move under this snapshot.
    const revision = cache.revision;
    const prefix = this.listPrefix(rt, namespace);
    const entries = cache.list(prefix);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;
    const items: string[] = [];
    const filtering = !labels.empty || !fields.empty;
    let lastKey = '';
    let i = 0;
    for (; i < entries.length; i++) {
      if (limit && items.length >= limit) break;
      const entry = entries[i];
      if (filtering) {
        const obj = this.cachedObject(rt, entry);
        if (!labels.matches(obj.metadata.labels) || !fields.matches(obj)) continue;
      }
      items.push(this.encodeEntry(rt, entry));
      lastKey = entry.key;
    }
    const list: Omit<KubeList, 'items'> = {
      apiVersion: apiVersionOf(rt.group, rt.version), kind: rt.listKind, metadata: { resourceVersion: String(revision) },
    };
    let more = false;
    if (limit && i < entries.length) {
      if (filtering) {
        for (let j = i; j < entries.length && !more; j++) {
          const obj = this.cachedObject(rt, entries[j]);
          more = labels.matches(obj.metadata.labels) && fields.matches(obj);
        }
      } else more = true;
    }
    if (more) {
      list.metadata.continue = encodeContinue(revision, lastKey + '\x00', prefix);
      if (!filtering) list.metadata.remainingItemCount = entries.length - i;
    }
    return { list, items };
  }

  private async listFromEtcd(rt: ResourceType, namespace: string, opts: ListOptions): Promise<KubeList> {
    const labels = parseLabelSelector(opts.labelSelector);
    const fields = parseFieldSelector(opts.fieldSelector, rt.strategy.selectableFields, rt.kind, rt.version);
    const prefix = this.listPrefix(rt, namespace);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : 0;

    let start = prefix;
    let revision = 0;
    if (opts.continue) {
      const token = decodeContinue(opts.continue, prefix);
      start = token.start;
      revision = token.rv;
      try {
        await this.storage.range(prefix, start, 1, revision);
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 410)) throw e;
        // As kube-apiserver: 410 with a token that continues, inconsistently, at the newest revision.
        const fresh = Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: -1, start: token.start.slice(prefix.length) })).toString('base64url');
        throw new ApiError(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.', undefined, { continue: fresh });
      }
      if (revision < 0) revision = 0;
    } else if (opts.resourceVersion && opts.resourceVersion !== '0' && opts.resourceVersionMatch === 'Exact') {
      revision = parseResourceVersion(opts.resourceVersion);
    }

    const items: KubeObject[] = [];
    let more = false;
    let remaining = 0;
    let readRevision = revision;
    let lastKey = '';
    // With a selector, a page of etcd keys may match fewer than `limit` objects: read on until full.
    for (;;) {
      const pageSize = limit ? Math.max(limit - items.length, limit) : 0;
      const page = await this.storage.range(prefix, start, pageSize, readRevision);
      if (!readRevision) readRevision = page.revision;
      for (const sv of page.items) {
        lastKey = sv.key;
        if (limit && items.length >= limit) {
          more = true;
          break;
        }
        const obj = this.decode(rt, sv);
        if (labels.matches(obj.metadata.labels) && fields.matches(obj)) items.push(obj);
      }
      if (limit && items.length >= limit) {
        if (!more) more = page.more;
        remaining = Math.max(0, page.count - page.items.length);
        if (more) {
          const lastIncluded = items[items.length - 1];
          lastKey = this.key(rt, lastIncluded.metadata.namespace ?? '', lastIncluded.metadata.name!);
        }
        break;
      }
      if (!page.more || !page.items.length) {
        more = false;
        break;
      }
      start = page.items[page.items.length - 1].key + '\x00';
    }

    const list: KubeList = {
      apiVersion: apiVersionOf(rt.group, rt.version),
      kind: rt.listKind,
      metadata: { resourceVersion: String(readRevision) },
      items,
    };
    if (more) {
      list.metadata.continue = encodeContinue(readRevision, lastKey + '\x00', prefix);
      if (labels.empty && fields.empty) {
        const left = await this.storage.range(prefix, lastKey + '\x00', 0, readRevision);
        list.metadata.remainingItemCount = left.count;
      }
      void remaining;
    }
    return list;
  }

  // ---- create ------------------------------------------------------------------------------

  async create(rt: ResourceType, namespace: string, body: KubeObject, opts: WriteOptions): Promise<KubeObject> {
    const obj = this.admitBody(rt, namespace, body, undefined);
    if (!obj.metadata.name && obj.metadata.generateName) {
      obj.metadata.name = obj.metadata.generateName + randomSuffix();
    }
    for (const k of systemMeta) delete obj.metadata[k];
    delete obj.metadata.resourceVersion;
    obj.metadata.uid = randomUUID();
    obj.metadata.creationTimestamp = nowTimestamp();
    if (rt.strategy.trackGeneration) obj.metadata.generation = 1;

    await this.checkNamespaceForCreate(rt, obj.metadata.namespace);
    rt.strategy.prepareForCreate?.(obj);
    rt.strategy.defaults?.(obj);
    this.validate(rt, obj, undefined, opts);

    const ctx = this.strategyContext(rt, namespace, opts);
    await rt.strategy.beforeCreate?.(obj, ctx);
    // Strategies see ctx.dryRun and must not take allocations for a dry run.
    if (opts.dryRun) return this.fromStorage(rt, this.toStorage(rt, obj));
    const stored = this.toStorage(rt, obj);
    try {
      const rev = await this.storage.create(this.key(rt, obj.metadata.namespace ?? '', obj.metadata.name!), this.encode(stored));
      stored.metadata.resourceVersion = String(rev);
    } catch (e) {
      await rt.strategy.afterDelete?.(obj, ctx).catch(() => undefined);
      if (e instanceof PreconditionFailed) throw errors.alreadyExists(gr(rt), obj.metadata.name!);
      throw e;
    }
    return this.fromStorage(rt, stored);
  }

  // ---- update ------------------------------------------------------------------------------

  /** PUT: replace the object. With a resourceVersion in the body, only if it is still current. */
  async update(rt: ResourceType, namespace: string, name: string, body: KubeObject, opts: WriteOptions, subresource = ''): Promise<KubeObject> {
    const incoming = this.admitBody(rt, namespace, body, name);
    const wanted = incoming.metadata.resourceVersion;
    if (!wanted && !(rt.strategy.allowUnconditionalUpdate ?? true)) {
      throw errors.invalid(rt.kind, rt.group, name, [field.invalid('metadata.resourceVersion', 0, 'must be specified for an update')]);
    }
    return this.guaranteedUpdate(rt, namespace, name, opts, async (current) => {
      if (!current) {
        if (rt.strategy.allowCreateOnUpdate && !subresource) return { create: incoming };
        throw errors.notFound(gr(rt), name);
      }
      if (wanted && wanted !== current.metadata.resourceVersion) {
        throw errors.conflict(gr(rt), name, 'the object has been modified; please apply your changes to the latest version and try again');
      }
      return { update: clone(incoming) };
    }, subresource, Boolean(wanted));
  }

  /**
   * Read-modify-write with retries on conflict: `mutate` sees the current object (or null) and
   * says what to write. `pinned` = the caller named a resourceVersion, so a conflict is the caller's.
   */
  async guaranteedUpdate(
    rt: ResourceType, namespace: string, name: string, opts: WriteOptions,
    mutate: (current: KubeObject | null) => Promise<{ update?: KubeObject; create?: KubeObject }>,
    subresource = '', pinned = false,
  ): Promise<KubeObject> {
    const key = this.key(rt, namespace, name);
    for (let attempt = 0; ; attempt++) {
      const { value } = await this.storage.get(key);
      const current = value ? this.decode(rt, value) : null;
      const next = await mutate(current ? clone(current) : null);
      if (next.create) return this.create(rt, namespace, next.create, opts);
      const obj = next.update!;
      const old = current!;
      this.carryOverSystemMeta(obj, old);
      if (subresource === 'status') {
        // The status subresource changes status only; everything else stays as stored.
        const merged = clone(old);
        merged.status = obj.status;
        merged.metadata = old.metadata;
        if (obj.metadata.resourceVersion) merged.metadata.resourceVersion = obj.metadata.resourceVersion;
        Object.assign(obj, merged);
        for (const k of Object.keys(obj)) if (!(k in merged)) delete obj[k];
      } else {
        rt.strategy.prepareForUpdate?.(obj, old);
      }
      rt.strategy.defaults?.(obj);
      if (rt.strategy.trackGeneration && generationRelevantChange(rt, obj, old)) obj.metadata.generation = (old.metadata.generation ?? 0) + 1;
      this.validate(rt, obj, old, opts);
      const updateCtx = this.strategyContext(rt, namespace, opts);
      await rt.strategy.beforeUpdate?.(obj, old, updateCtx);

      const stored = this.toStorage(rt, obj);
      const oldStored = this.toStorage(rt, old);
      // Deleting, and the last finalizer is gone: the update is the delete.
      const finalize = Boolean(old.metadata.deletionTimestamp) && !(obj.metadata.finalizers ?? []).length;
      if (opts.dryRun) return this.fromStorage(rt, stored);
      if (!finalize && JSON.stringify(stored) === JSON.stringify(oldStored)) return old;
      try {
        if (finalize) {
          const rev = await this.storage.delete(key, value!.modRevision);
          await rt.strategy.afterDelete?.(obj, this.strategyContext(rt, namespace, opts)).catch(() => undefined);
          stored.metadata.resourceVersion = String(rev);
        } else {
          const rev = await this.storage.update(key, this.encode(stored), value!.modRevision);
          stored.metadata.resourceVersion = String(rev);
          await rt.strategy.afterUpdate?.(obj, old, updateCtx, true).catch(() => undefined);
        }
        return this.fromStorage(rt, stored);
      } catch (e) {
        if (!finalize) await rt.strategy.afterUpdate?.(obj, old, updateCtx, false).catch(() => undefined);
        if (!(e instanceof PreconditionFailed)) throw e;
        if (pinned) {
          if (!e.current) throw errors.notFound(gr(rt), name);
          throw errors.conflict(gr(rt), name, 'the object has been modified; please apply your changes to the latest version and try again');
        }
        if (attempt >= maxConflictRetries) {
          throw errors.conflict(gr(rt), name, 'the object has been modified; please apply your changes to the latest version and try again');
        }
      }
    }
  }

  private carryOverSystemMeta(obj: KubeObject, old: KubeObject): void {
    obj.metadata ??= {};
    obj.metadata.uid = old.metadata.uid;
    obj.metadata.creationTimestamp = old.metadata.creationTimestamp;
    setOrDelete(obj.metadata, 'generation', old.metadata.generation);
    setOrDelete(obj.metadata, 'deletionTimestamp', old.metadata.deletionTimestamp);
    setOrDelete(obj.metadata, 'deletionGracePeriodSeconds', old.metadata.deletionGracePeriodSeconds);
    if (old.metadata.namespace !== undefined && obj.metadata.namespace === undefined) obj.metadata.namespace = old.metadata.namespace;
    if (old.metadata.deletionTimestamp) {
      // While deleting, finalizers may only be removed, never added.
      const had = new Set(old.metadata.finalizers ?? []);
      const added = (obj.metadata.finalizers ?? []).filter((f) => !had.has(f));
      if (added.length) {
        throw errors.invalid(old.kind ?? '', '', old.metadata.name ?? '', [
          field.forbidden('metadata.finalizers', `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`),
        ]);
      }
    }
  }

  // ---- delete ------------------------------------------------------------------------------

  async delete(rt: ResourceType, namespace: string, name: string, options: DeleteOptions, opts: WriteOptions): Promise<DeleteResult> {
    validateDeleteOptions(options);
    const key = this.key(rt, namespace, name);
    let graceful: GracefulDeletion | undefined;
    if (rt.strategy.beforeDelete || rt.strategy.checkGracefulDelete) {
      const { value } = await this.storage.get(key);
      if (!value) throw errors.notFound(gr(rt), name);
      const ctx = this.strategyContext(rt, namespace, opts);
      await rt.strategy.beforeDelete?.(this.decode(rt, value), ctx);
      graceful = await rt.strategy.checkGracefulDelete?.(this.decode(rt, value), options, ctx);
    }
    for (let attempt = 0; ; attempt++) {
      const { value } = await this.storage.get(key);
      if (!value) throw errors.notFound(gr(rt), name);
      const current = this.decode(rt, value);
      const pre = options.preconditions;
      if (pre?.uid && pre.uid !== current.metadata.uid) {
        throw errors.conflict(gr(rt), name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
        throw errors.conflict(gr(rt), name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in meta: ${current.metadata.resourceVersion}`);
      }
      const finalizers = current.metadata.finalizers ?? [];
      try {
        if (graceful) {
          // Graceful deletion: marked now, removed later (by whoever finishes it) with a zero grace period.
          const had = current.metadata.deletionGracePeriodSeconds;
          if (current.metadata.deletionTimestamp && had !== undefined && had <= graceful.gracePeriodSeconds) return { object: current, deleted: false };
          const marked = clone(current);
          marked.metadata.deletionTimestamp = new Date(Date.now() + graceful.gracePeriodSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
          marked.metadata.deletionGracePeriodSeconds = graceful.gracePeriodSeconds;
          graceful.mark?.(marked);
          if (opts.dryRun) return { object: marked, deleted: false };
          const rev = await this.storage.update(key, this.encode(this.toStorage(rt, marked)), value.modRevision);
          marked.metadata.resourceVersion = String(rev);
          return { object: marked, deleted: false };
        }
        if (finalizers.length) {
          // Finalizers keep the object: mark it deleting; it goes once the last finalizer is removed.
          if (current.metadata.deletionTimestamp) return { object: current, deleted: false };
          const marked = clone(current);
          marked.metadata.deletionTimestamp = nowTimestamp();
          marked.metadata.deletionGracePeriodSeconds = 0;
          if (opts.dryRun) return { object: marked, deleted: false };
          const rev = await this.storage.update(key, this.encode(this.toStorage(rt, marked)), value.modRevision);
          marked.metadata.resourceVersion = String(rev);
          return { object: marked, deleted: false };
        }
        if (opts.dryRun) return { object: current, deleted: true };
        const rev = await this.storage.delete(key, value.modRevision);
        await rt.strategy.afterDelete?.(current, this.strategyContext(rt, namespace, opts)).catch(() => undefined);
        current.metadata.resourceVersion = String(rev);
        return { object: current, deleted: true };
      } catch (e) {
        if (!(e instanceof PreconditionFailed) || attempt >= maxConflictRetries) throw e;
      }
    }
  }

  async deleteCollection(rt: ResourceType, namespace: string, listOpts: ListOptions, options: DeleteOptions, opts: WriteOptions): Promise<KubeList> {
    const list = await this.list(rt, namespace, { labelSelector: listOpts.labelSelector, fieldSelector: listOpts.fieldSelector });
    const deleted: KubeObject[] = [];
    for (const item of list.items) {
      try {
        const r = await this.delete(rt, item.metadata.namespace ?? '', item.metadata.name!, options, opts);
        deleted.push(r.object);
      } catch (e) {
        if (e instanceof ApiError && e.code === 404) continue;
        throw e;
      }
    }
    return { ...list, items: deleted };
  }

  // ---- shared steps ------------------------------------------------------------------------

  /**
   * Checks a request body against the URL (kind, apiVersion, name, namespace) and returns a
   * copy ready for the strategy. Mismatches are 400 BadRequest, as in kube-apiserver.
   */
  private admitBody(rt: ResourceType, namespace: string, body: KubeObject, urlName: string | undefined): KubeObject {
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      throw errors.badRequest(`Object '${rt.kind}' is missing in 'null'`);
    }
    const expected = apiVersionOf(rt.group, rt.version);
    if (body.apiVersion !== undefined && body.apiVersion !== expected) {
      throw errors.badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${expected})`);
    }
    if (body.kind !== undefined && body.kind !== rt.kind) {
      throw errors.badRequest(`the kind in the data (${body.kind}) does not match the expected kind (${rt.kind})`);
    }
    // A JSON null is the zero value to kube-apiserver's typed decoding: the field is simply absent.
    const obj = stripNulls(clone(body)) as KubeObject;
    if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
    if (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) {
      throw errors.badRequest(`${rt.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: json: cannot unmarshal ${typeof obj.metadata} into Go struct field ${rt.kind}.metadata of type v1.ObjectMeta`);
    }
    obj.apiVersion = expected;
    obj.kind = rt.kind;
    if (rt.namespaced) {
      if (obj.metadata.namespace && namespace && obj.metadata.namespace !== namespace) {
        throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      if (namespace) obj.metadata.namespace = namespace;
    } else {
      delete obj.metadata.namespace;
    }
    if (urlName !== undefined) {
      if (obj.metadata.name && obj.metadata.name !== urlName) {
        throw errors.badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${urlName})`);
      }
      obj.metadata.name = urlName;
    }
    return obj;
  }

  private validate(rt: ResourceType, obj: KubeObject, old: KubeObject | undefined, opts: WriteOptions): void {
    const schema = validateAgainstSchema(rt, obj);
    if (schema.decodeError) throw errors.badRequest(schema.decodeError);
    // Unknown fields are the decode step's (server/endpoints/handlers/decode.ts): reported and dropped there.
    const causes: FieldError[] = [...validateObjectMeta(rt, obj), ...schema.causes];
    causes.push(...(rt.strategy.validate?.(obj) ?? []));
    if (old) {
      causes.push(...validateObjectMetaUpdate(obj, old));
      causes.push(...(rt.strategy.validateUpdate?.(obj, old) ?? []));
    }
    if (causes.length) throw errors.invalid(rt.kind, rt.group, obj.metadata.name ?? obj.metadata.generateName ?? '', dedupe(causes));
  }

  /** NamespaceLifecycle: no new content in a missing or terminating namespace. */
  private async checkNamespaceForCreate(rt: ResourceType, namespace: string | undefined): Promise<void> {
    if (!rt.namespaced || !namespace) return;
    const nsType = this.types.lookup('', 'v1', 'namespaces');
    if (!nsType) return;
    // As kube's NamespaceLifecycle admission: the watch cache first, etcd when the cache has not seen it (yet).
    const key = this.key(nsType, '', namespace);
    const cached = this.cache?.ready ? this.cache.get(key) : undefined;
    const value = cached ?? (await this.storage.get(key)).value;
    if (!value) throw errors.notFound({ group: '', resource: 'namespaces' }, namespace);
    const ns = JSON.parse(value.value.toString()) as KubeObject;
    if (ns.metadata.deletionTimestamp || (ns.status as { phase?: string } | undefined)?.phase === 'Terminating') {
      throw errors.forbidden(`${rt.resource}${rt.group ? '.' + rt.group : ''} "${''}" is forbidden: unable to create new content in namespace ${namespace} because it is being terminated`,
        { kind: rt.resource, group: rt.group || undefined });
    }
  }

  private strategyContext(_rt: ResourceType, namespace: string, opts: WriteOptions): StrategyContext {
    return { namespace, services: this.services, dryRun: opts.dryRun, store: this, types: this.types };
  }
}

export function gr(rt: ResourceType): GroupResource {
  return { group: rt.group, resource: rt.resource };
}

function validateDeleteOptions(o: DeleteOptions): void {
  const causes: FieldError[] = [];
  if (o.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(o.propagationPolicy)) {
    causes.push(field.notSupported('propagationPolicy', o.propagationPolicy, ['Foreground', 'Background', 'Orphan', 'nil']));
  }
  if (o.gracePeriodSeconds !== undefined && (typeof o.gracePeriodSeconds !== 'number' || o.gracePeriodSeconds < 0)) {
    causes.push(field.invalid('gracePeriodSeconds', o.gracePeriodSeconds, 'must be greater than or equal to 0'));
  }
  if (o.orphanDependents !== undefined && o.propagationPolicy) {
    causes.push(field.invalid('propagationPolicy', o.propagationPolicy, 'orphanDependents and deletionPropagation cannot be both set'));
  }
  for (const d of o.dryRun ?? []) if (d !== 'All') causes.push(field.notSupported('dryRun', d, ['All']));
  if (causes.length) throw errors.invalid('DeleteOptions', 'meta.k8s.io', '', causes);
}

function generationRelevantChange(rt: ResourceType, obj: KubeObject, old: KubeObject): boolean {
  const ignore = new Set(['metadata', 'status', 'apiVersion', 'kind', ...(rt.strategy.generationIgnores ?? [])]);
  const strip = (o: KubeObject) => JSON.stringify(Object.keys(o).filter((k) => !ignore.has(k)).sort().map((k) => [k, o[k]]));
  return strip(obj) !== strip(old);
}

function dedupe(causes: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return causes.filter((c) => {
    const k = `${c.type}|${c.field}|${c.detail}|${JSON.stringify(c.value)}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function stripNulls(v: unknown): unknown {
  if (Array.isArray(v)) {
    for (const item of v) stripNulls(item);
    return v;
  }
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    for (const k of Object.keys(o)) {
      if (o[k] === null) delete o[k];
      else stripNulls(o[k]);
    }
  }
  return v;
}

function setOrDelete(o: Record<string, unknown>, k: string, v: unknown): void {
  if (v === undefined) delete o[k];
  else o[k] = v;
}

export function nowTimestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function randomSuffix(): string {
  let s = '';
  for (let i = 0; i < 5; i++) s += generateNameAlphabet[Math.floor(Math.random() * generateNameAlphabet.length)];
  return s;
}

export function parseResourceVersion(rv: string): number {
  const n = Number(rv);
  if (!/^\d+$/.test(rv) || !Number.isSafeInteger(n)) {
    throw errors.badRequest(`invalid resource version: ${JSON.stringify(rv)}`);
  }
  return n;
}

// Continue tokens carry the revision of the first page and the key to resume from, as kube-apiserver's do.
function encodeContinue(rv: number, startKey: string, prefix: string): string {
  const start = startKey.slice(prefix.length);
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64url');
}

function decodeContinue(token: string, prefix: string): { rv: number; start: string } {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString()) as { v: string; rv: number; start: string };
    if (parsed.v !== 'meta.k8s.io/v1' || typeof parsed.rv !== 'number' || typeof parsed.start !== 'string') throw new Error('bad');
    if (parsed.rv === 0 || parsed.rv < -1) throw new Error('bad');
    if (parsed.start.includes('..') || parsed.start.startsWith('/')) throw new Error('bad');
    return { rv: parsed.rv, start: prefix + parsed.start };
  } catch {
    throw errors.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}
