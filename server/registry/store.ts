// The generic store: every verb implemented once; what differs per resource lives in its strategy.
// It talks only to the storage interface (the cacher in a server, the in-memory storage in tests).
import type { AuthorizationServices } from '../authorization/authorizer.js';
import { randomUUID } from 'node:crypto';
import { ApiError, errors, field, type GroupResource } from '../api/errors.js';
import { parseExactJSON } from '../api/json.js';
import { apiVersionOf, clone, type KubeList, type KubeObject } from '../api/object.js';
import { zeroNulls } from '../schema/nulls.js';
import { parseFieldSelector } from '../selectors/fields.js';
import { parseLabelSelector } from '../selectors/labels.js';
import { PreconditionFailed, type Predicate, type Storage, type StoredValue } from '../storage/interface.js';
import type { AdmissionAttributes, AdmissionChain } from '../admission/chain.js';
import { recordUpdate } from '../fieldmanager/field-manager.js';
import { admitBody } from './body.js';
import { type ControllerManagerPresence, noControllerManager } from './controller-manager.js';
import { deletionFinalizers } from './deletion-finalizers.js';
import { cachedObject, decode, encode, encodeEntry, fromStorage, toStorage } from './encoding.js';
import { carryOverSystemMeta, generateName, generationRelevantChange, nowTimestamp, systemMeta } from './meta.js';
import type { DeleteOptions, DeleteResult, ListOptions, WriteOptions } from './options.js';
import type { TypeRegistry } from './registry.js';
import { subresourceStrategies } from './subresources/storage.js';
import type { GracefulDeletion, ResourceType, StrategyContext, StrategyServices } from './types.js';
import { validate, validateDeleteOptions, validateListOptions } from './validation.js';
import { defaultWatchSettings, type WatchSettings } from './watch-settings.js';

export type { DeleteOptions, DeleteResult, FieldValidation, ListOptions, WriteOptions } from './options.js';
export { nowTimestamp };

const maxConflictRetries = 10;
/** kube's maxNameGenerationCreateAttempts (RetryGenerateName). */
const maxNameGenerationCreateAttempts = 8;
/** A write's result: the object, and whether an update created it. */
export interface WriteResult { object: KubeObject; created: boolean }

const conflictMessage = 'the object has been modified; please apply your changes to the latest version and try again';

export class GenericStore {
  /** Stop functions of the watches open now: a shutting-down instance ends them cleanly. */
  readonly openWatches = new Set<() => void>();
  /** The instance's authorizer, set once security is built (RBAC's escalation check and the access reviews ask it). */
  authorization?: AuthorizationServices;
  /** Told about every event a watch sends, with its object's size (kube's apiserver_watch_events_total and _sizes). */
  watchEventSent?: (rt: ResourceType, bytes: number) => void;

  constructor(
    readonly storage: Storage,
    private readonly types: TypeRegistry,
    private readonly services: StrategyServices,
    /** Admission plugins, mutating then validating; none when absent. */
    private readonly admission?: AdmissionChain,
    readonly watchSettings: WatchSettings = defaultWatchSettings,
    readonly controllerManager: ControllerManagerPresence = noControllerManager,
  ) {}

  // ---- keys and encodings ------------------------------------------------------------------

  key(rt: ResourceType, namespace: string, name: string): string {
    return rt.namespaced ? `${rt.storagePrefix}/${namespace}/${name}` : `${rt.storagePrefix}/${name}`;
  }

  listPrefix(rt: ResourceType, namespace: string): string {
    return rt.namespaced && namespace ? `${rt.storagePrefix}/${namespace}/` : `${rt.storagePrefix}/`;
  }

  decode(rt: ResourceType, sv: StoredValue): KubeObject {
    return decode(rt, sv);
  }

  /** JSON text of a stored value in the resource's version, with resourceVersion; kept on the entry. */
  encodeEntry(rt: ResourceType, entry: StoredValue): string {
    return encodeEntry(rt, entry);
  }

  /** The parsed stored object of a stored value (read-only, shared). */
  cachedObject(rt: ResourceType, entry: StoredValue): KubeObject {
    return cachedObject(rt, entry);
  }

  /** Label and field selectors as a storage predicate; undefined when they select everything. */
  predicate(rt: ResourceType, labelSelector: string | undefined, fieldSelector: string | undefined): Predicate | undefined {
    const labels = parseLabelSelector(labelSelector);
    const fields = parseFieldSelector(fieldSelector, rt.strategy.selectableFields, rt.kind, rt.version);
    if (labels.empty && fields.empty) return undefined;
    return (sv) => {
      const obj = cachedObject(rt, sv);
      return labels.matches(obj.metadata.labels) && fields.matches(obj);
    };
  }

  // ---- reads -------------------------------------------------------------------------------

  async get(rt: ResourceType, namespace: string, name: string, resourceVersion?: string): Promise<KubeObject> {
    return parseExactJSON(await this.getEncoded(rt, namespace, name, resourceVersion)) as KubeObject;
  }

  /** The object as JSON text, from the stored value's kept encoding when it has one. */
  async getEncoded(rt: ResourceType, namespace: string, name: string, resourceVersion?: string): Promise<string> {
    const { value } = await this.storage.get(this.key(rt, namespace, name), { resourceVersion });
    if (!value) throw errors.notFound(gr(rt), name);
    return encodeEntry(rt, value);
  }

  async list(rt: ResourceType, namespace: string, opts: ListOptions): Promise<KubeList> {
    const encoded = await this.listEncoded(rt, namespace, opts);
    return { ...encoded.list, items: encoded.items.map((t) => parseExactJSON(t) as KubeObject) };
  }

  /** LIST as list metadata plus each item's JSON text. */
  async listEncoded(rt: ResourceType, namespace: string, opts: ListOptions): Promise<{ list: Omit<KubeList, 'items'>; items: string[] }> {
    validateListOptions(opts);
    const predicate = this.predicate(rt, opts.labelSelector, opts.fieldSelector);
    const res = await this.storage.list(this.listPrefix(rt, namespace), {
      resourceVersion: opts.resourceVersion, resourceVersionMatch: opts.resourceVersionMatch,
      limit: opts.limit, continue: opts.continue, predicate,
    });
    const list: Omit<KubeList, 'items'> = {
      apiVersion: apiVersionOf(rt.group, rt.version), kind: rt.listKind, metadata: { resourceVersion: String(res.revision) },
    };
    if (res.continue) list.metadata.continue = res.continue;
    if (res.remainingItemCount !== undefined) list.metadata.remainingItemCount = res.remainingItemCount;
    return { list, items: res.items.map((sv) => encodeEntry(rt, sv)) };
  }

  // ---- create ------------------------------------------------------------------------------

  /** Create; with generateName, a fresh name is tried on AlreadyExists, as kube's RetryGenerateName. */
  async create(rt: ResourceType, namespace: string, body: KubeObject, opts: WriteOptions): Promise<KubeObject> {
    const generated = !body?.metadata?.name && Boolean(body?.metadata?.generateName);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.createOnce(rt, namespace, body, opts);
      } catch (e) {
        if (!generated || attempt >= maxNameGenerationCreateAttempts || !(e instanceof ApiError && e.reason === 'AlreadyExists')) throw e;
      }
    }
  }

  private async createOnce(rt: ResourceType, namespace: string, body: KubeObject, opts: WriteOptions): Promise<KubeObject> {
    const obj = admitBody(rt, namespace, body, undefined);
    if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = generateName(obj.metadata.generateName);
    for (const k of systemMeta) delete obj.metadata[k];
    delete obj.metadata.resourceVersion;
    obj.metadata.uid = randomUUID();
    obj.metadata.creationTimestamp = nowTimestamp();
    if (rt.strategy.trackGeneration) obj.metadata.generation = 1;

    const attrs = this.attributes('CREATE', rt, namespace, '', obj, undefined, opts);
    await this.admission?.admit(attrs);
    rt.strategy.prepareForCreate?.(obj);
    rt.strategy.defaults?.(obj);
    if (opts.fieldManager !== undefined) recordUpdate(rt, undefined, obj, opts.fieldManager);
    validate(rt, obj, undefined);
    await this.admission?.validate(attrs);

    const ctx = this.strategyContext(rt, namespace, opts);
    await rt.strategy.beforeCreate?.(obj, ctx);
    // Strategies see ctx.dryRun and must not take allocations for a dry run.
    if (opts.dryRun) return fromStorage(rt, toStorage(rt, obj));
    const stored = toStorage(rt, obj);
    try {
      const rev = await this.storage.create(this.key(rt, obj.metadata.namespace ?? '', obj.metadata.name!), encode(stored));
      stored.metadata.resourceVersion = String(rev);
    } catch (e) {
      await rt.strategy.afterDelete?.(obj, ctx).catch(() => undefined);
      if (e instanceof PreconditionFailed) throw errors.alreadyExists(gr(rt), obj.metadata.name!);
      throw e;
    }
    return fromStorage(rt, stored);
  }

  // ---- update ------------------------------------------------------------------------------

  /** PUT: replace the object. With a resourceVersion in the body, only if it is still current. */
  async update(rt: ResourceType, namespace: string, name: string, body: KubeObject, opts: WriteOptions, subresource = ''): Promise<KubeObject> {
    return (await this.updateWithResult(rt, namespace, name, body, opts, subresource)).object;
  }

  /** update, saying whether the PUT created the object (kube answers 201 then). */
  async updateWithResult(rt: ResourceType, namespace: string, name: string, body: KubeObject, opts: WriteOptions, subresource = ''): Promise<WriteResult> {
    const incoming = admitBody(rt, namespace, body, name);
    // kube's versioner reads "0" as no resourceVersion: the update is unconditional.
    const wanted = incoming.metadata.resourceVersion === '0' ? undefined : incoming.metadata.resourceVersion;
    if (!wanted && !(rt.strategy.allowUnconditionalUpdate ?? true)) {
      throw errors.invalid(rt.kind, rt.group, name, [field.invalid('metadata.resourceVersion', 0, 'must be specified for an update')]);
    }
    // A uid in the body is a storage precondition, as kube's DefaultUpdatedObjectInfo makes it.
    const uid = incoming.metadata.uid;
    return this.guaranteedUpdateWithResult(rt, namespace, name, opts, async (current) => {
      if (uid && uid !== (current?.metadata.uid ?? '')) {
        throw errors.conflict(gr(rt), name, `StorageError: invalid object, Code: 4, Key: ${this.key(rt, namespace, name)}, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: ${uid}, UID in object meta: ${current?.metadata.uid ?? ''}`);
      }
      if (!current) {
        if (rt.strategy.allowCreateOnUpdate && !subresource) return { create: incoming };
        throw errors.notFound(gr(rt), name);
      }
      if (wanted && wanted !== current.metadata.resourceVersion) {
        throw errors.conflict(gr(rt), name, conflictMessage);
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
    return (await this.guaranteedUpdateWithResult(rt, namespace, name, opts, mutate, subresource, pinned)).object;
  }

  /** guaranteedUpdate, saying whether `mutate` chose to create. */
  async guaranteedUpdateWithResult(
    rt: ResourceType, namespace: string, name: string, opts: WriteOptions,
    mutate: (current: KubeObject | null) => Promise<{ update?: KubeObject; create?: KubeObject }>,
    subresource = '', pinned = false,
  ): Promise<WriteResult> {
    const key = this.key(rt, namespace, name);
    for (let attempt = 0; ; attempt++) {
      const { value } = await this.storage.get(key, { forUpdate: true });
      const current = value ? decode(rt, value) : null;
      const next = await mutate(current ? clone(current) : null);
      if (next.create) return { object: await this.create(rt, namespace, next.create, opts), created: true };
      // A JSON null is the zero value to kube's typed decoding: the field is absent (a patch may bring nulls).
      const obj = next.update!;
      zeroNulls(rt.definition, obj);
      const old = current!;
      carryOverSystemMeta(obj, old);
      const attrs = this.attributes('UPDATE', rt, namespace, subresource, obj, old, opts);
      await this.admission?.admit(attrs);
      const sub = subresource ? (rt.strategy.subresourceStrategies?.[subresource] ?? subresourceStrategies[subresource]) : undefined;
      // A direct write (pods/binding) is checked by its own storage, as kube's BindingREST writes below the strategy.
      if (!sub?.direct) {
        if (sub) sub.prepareForUpdate(obj, old);
        else rt.strategy.prepareForUpdate?.(obj, old);
        rt.strategy.defaults?.(obj);
        if (rt.strategy.trackGeneration && generationRelevantChange(rt, obj, old)) obj.metadata.generation = (old.metadata.generation ?? 0) + 1;
        // (below the strategy, kube's BindingREST records no managedFields either)
        if (opts.fieldManager !== undefined) recordUpdate(rt, old, obj, opts.fieldManager, subresource || opts.fieldManagerSubresource);
        validate(rt, obj, old);
        const causes = sub?.validateUpdate?.(obj, old) ?? [];
        if (causes.length) throw errors.invalid(rt.kind, rt.group, name, causes);
      }
      await this.admission?.validate(attrs);
      const updateCtx = this.strategyContext(rt, namespace, opts);
      await rt.strategy.beforeUpdate?.(obj, old, updateCtx);

      const stored = toStorage(rt, obj);
      const oldStored = toStorage(rt, old);
      // Deleting with no grace period left, and no finalizer remains: the update is the delete (kube's
      // ShouldDeleteDuringUpdate; a pod in its grace period is only updated).
      const finalize = Boolean(old.metadata.deletionTimestamp) && !old.metadata.deletionGracePeriodSeconds && !obj.metadata.finalizers?.length
        && (rt.strategy.deleteDuringUpdate?.(obj) ?? true);
      if (opts.dryRun) return { object: fromStorage(rt, stored), created: false };
      if (!finalize && JSON.stringify(stored) === JSON.stringify(oldStored)) return { object: old, created: false };
      try {
        if (finalize) {
          const rev = await this.storage.delete(key, { modRevision: value!.modRevision });
          await rt.strategy.afterDelete?.(obj, this.strategyContext(rt, namespace, opts)).catch(() => undefined);
          stored.metadata.resourceVersion = String(rev);
        } else {
          const rev = await this.storage.update(key, encode(stored), { modRevision: value!.modRevision });
          stored.metadata.resourceVersion = String(rev);
          await rt.strategy.afterUpdate?.(obj, old, updateCtx, true).catch(() => undefined);
        }
        return { object: fromStorage(rt, stored), created: false };
      } catch (e) {
        if (!finalize) await rt.strategy.afterUpdate?.(obj, old, updateCtx, false).catch(() => undefined);
        if (!(e instanceof PreconditionFailed)) throw e;
        if (pinned) {
          if (!e.current) throw errors.notFound(gr(rt), name);
          throw errors.conflict(gr(rt), name, conflictMessage);
        }
        if (attempt >= maxConflictRetries) {
          throw errors.conflict(gr(rt), name, conflictMessage);
        }
      }
    }
  }

  // ---- delete ------------------------------------------------------------------------------

  async delete(rt: ResourceType, namespace: string, name: string, options: DeleteOptions, opts: WriteOptions): Promise<DeleteResult> {
    validateDeleteOptions(options);
    const key = this.key(rt, namespace, name);
    let graceful: GracefulDeletion | undefined;
    if (rt.strategy.beforeDelete || rt.strategy.checkGracefulDelete) {
      const { value } = await this.storage.get(key, { forUpdate: true });
      if (!value) throw errors.notFound(gr(rt), name);
      const ctx = this.strategyContext(rt, namespace, opts);
      await rt.strategy.beforeDelete?.(decode(rt, value), ctx);
      graceful = await rt.strategy.checkGracefulDelete?.(decode(rt, value), options, ctx);
    }
    for (let attempt = 0; ; attempt++) {
      const { value } = await this.storage.get(key, { forUpdate: true });
      if (!value) throw errors.notFound(gr(rt), name);
      const current = decode(rt, value);
      const pre = options.preconditions;
      if (pre?.uid && pre.uid !== current.metadata.uid) {
        throw errors.conflict(gr(rt), name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${current.metadata.uid}`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== current.metadata.resourceVersion) {
        throw errors.conflict(gr(rt), name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in meta: ${current.metadata.resourceVersion}`);
      }
      const deleteAttrs = this.attributes('DELETE', rt, namespace, '', undefined, current, opts);
      // Mutating admission sees a delete too (kube's delete handler calls Admit), with no object to change.
      await this.admission?.admit(deleteAttrs);
      await this.admission?.validate(deleteAttrs);
      // The garbage collector's orphan/foregroundDeletion finalizers, when it runs (undefined: unchanged).
      const gcFinalizers = (await this.controllerManager.active()) ? deletionFinalizers(rt, current.metadata.finalizers ?? [], options) : undefined;
      const finalizers = gcFinalizers ?? current.metadata.finalizers ?? [];
      try {
        if (graceful) {
          // Graceful deletion: marked now, removed later (by whoever finishes it) with a zero grace period.
          const had = current.metadata.deletionGracePeriodSeconds;
          if (current.metadata.deletionTimestamp && had !== undefined && had <= graceful.gracePeriodSeconds) return { object: current, deleted: false };
          const marked = clone(current);
          marked.metadata.deletionTimestamp = new Date(Date.now() + graceful.gracePeriodSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
          marked.metadata.deletionGracePeriodSeconds = graceful.gracePeriodSeconds;
          if (gcFinalizers) marked.metadata.finalizers = gcFinalizers;
          graceful.mark?.(marked);
          if (opts.dryRun) return { object: marked, deleted: false };
          const rev = await this.storage.update(key, encode(toStorage(rt, marked)), { modRevision: value.modRevision });
          marked.metadata.resourceVersion = String(rev);
          return { object: marked, deleted: false };
        }
        if (finalizers.length) {
          // Finalizers keep the object: mark it deleting; it goes once the last finalizer is removed.
          // A later DELETE may still change the garbage collector's finalizers (orphan <-> foreground).
          if (current.metadata.deletionTimestamp && !gcFinalizers) return { object: current, deleted: false };
          const marked = clone(current);
          marked.metadata.deletionTimestamp ??= nowTimestamp();
          marked.metadata.deletionGracePeriodSeconds ??= 0;
          if (gcFinalizers) marked.metadata.finalizers = gcFinalizers;
          if (opts.dryRun) return { object: marked, deleted: false };
          const rev = await this.storage.update(key, encode(toStorage(rt, marked)), { modRevision: value.modRevision });
          marked.metadata.resourceVersion = String(rev);
          return { object: marked, deleted: false };
        }
        if (opts.dryRun) return { object: current, deleted: true };
        const rev = await this.storage.delete(key, { modRevision: value.modRevision });
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

  private attributes(
    operation: AdmissionAttributes['operation'], rt: ResourceType, namespace: string, subresource: string,
    object: KubeObject | undefined, oldObject: KubeObject | undefined, opts: WriteOptions,
  ): AdmissionAttributes {
    const name = object?.metadata.name ?? oldObject?.metadata.name ?? '';
    return {
      operation, resource: rt, subresource, namespace, name, object, oldObject, dryRun: opts.dryRun, user: opts.user,
      warnings: opts.warnings, annotate: opts.annotate, fieldManager: opts.fieldManager,
    };
  }

  private strategyContext(_rt: ResourceType, namespace: string, opts: WriteOptions): StrategyContext {
    return { namespace, services: this.services, dryRun: opts.dryRun, store: this, types: this.types, controllerManager: this.controllerManager, user: opts.user, authorization: this.authorization };
  }
}

export function gr(rt: ResourceType): GroupResource {
  return { group: rt.group, resource: rt.resource };
}
