// ResourceQuota, the last validating plugin (kube's plugin/pkg/admission/resourcequota): a write
// that costs something a quota in its namespace limits is refused when it does not fit, else its
// cost is written into the quota's status.used before the write itself, with the quota's
// resourceVersion as precondition. Several instances charging the same quota therefore never
// overspend it: a lost race re-reads the quota and checks again (kube's checkQuotas).
import { ApiError, errors } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import { encode } from '../registry/encoding.js';
import type { TypeRegistry } from '../registry/registry.js';
import type { ResourceType } from '../registry/types.js';
import { PreconditionFailed, type Storage, type StoredValue } from '../storage/interface.js';
import { checkRequest, QuotaRefusal, type QuotaState, quotaState, usageChanged } from '../quota/check-request.js';
import type { Evaluator } from '../quota/evaluator.js';
import { evaluatorFor } from '../quota/registry.js';
import { formatResourceList } from '../quota/resource-list.js';
import type { AdmissionAttributes, AdmissionPlugin } from './chain.js';

/** kube tries 3 times; instances here contend on one quota from separate processes, so a few more rounds. */
const maxRetries = 10;
/** A namespace whose cache showed no quota is looked up live at most this often (kube's liveTTL). */
const liveLookupTTLMs = 30_000;

interface Charged extends QuotaState {
  stored: StoredValue;
}

interface Waiter {
  attrs: AdmissionAttributes;
  evaluator: Evaluator;
  /** undefined: admitted; an error: refused; 'pending': waits for a status write. */
  result?: Error | 'pending';
  done: (err?: Error) => void;
}

export class ResourceQuota implements AdmissionPlugin {
  readonly name = 'ResourceQuota';
  /** Requests waiting per namespace; one batch per namespace is checked and written at a time, as kube's work queue. */
  private readonly queues = new Map<string, Waiter[]>();
  private readonly liveLookups = new Map<string, number>();

  constructor(private readonly storage: Storage, private readonly types: TypeRegistry) {}

  handles(operation: string): boolean {
    return operation === 'CREATE' || operation === 'UPDATE';
  }

  async validate(attrs: AdmissionAttributes): Promise<void> {
    const rt = attrs.resource;
    if (!attrs.namespace || !rt.namespaced || !attrs.object) return;
    const evaluator = evaluatorFor(rt.group, rt.resource);
    if (!evaluator?.handles({ operation: attrs.operation, subresource: attrs.subresource, object: attrs.object, oldObject: attrs.oldObject })) return;
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = { attrs, evaluator, done: (err) => (err ? reject(err) : resolve()) };
      const queue = this.queues.get(attrs.namespace);
      if (queue) queue.push(waiter);
      else {
        this.queues.set(attrs.namespace, [waiter]);
        void this.drain(attrs.namespace);
      }
    });
  }

  /** Works the namespace's queue in batches until it is empty. */
  private async drain(namespace: string): Promise<void> {
    const queue = this.queues.get(namespace)!;
    while (queue.length) {
      const batch = queue.splice(0);
      try {
        await this.checkBatch(namespace, batch);
        for (const w of batch) w.done(w.result === 'pending' ? undefined : w.result);
      } catch (e) {
        for (const w of batch) w.done(e as Error);
      }
    }
    this.queues.delete(namespace);
  }

  private async checkBatch(namespace: string, batch: Waiter[]): Promise<void> {
    let quotas = await this.quotas(namespace, false);
    if (!quotas.length) return;
    for (const w of batch) w.result = 'pending';
    for (let retries = maxRetries; ; retries--) {
      const original = quotas;
      let changed = false;
      for (const w of batch) {
        if (w.result !== 'pending') continue;
        try {
          const next = checkRequest(quotas, { operation: w.attrs.operation, subresource: w.attrs.subresource, object: w.attrs.object,
            oldObject: w.attrs.oldObject }, w.evaluator) as Charged[];
          // A dry run is checked, never charged.
          if (w.attrs.dryRun) {
            w.result = undefined;
            continue;
          }
          const mine = next.some((q, i) => usageChanged(quotas[i], q));
          if (!mine) w.result = undefined;
          changed ||= mine;
          quotas = next;
        } catch (e) {
          w.result = e instanceof QuotaRefusal ? this.forbidden(w.attrs, e.message) : (e as Error);
        }
      }
      if (!changed) return;
      const failed: string[] = [];
      let lastErr: Error | undefined;
      for (let i = 0; i < quotas.length; i++) {
        if (!usageChanged(original[i], quotas[i])) continue;
        try {
          await this.writeUsage(quotas[i]);
        } catch (e) {
          if (!(e instanceof PreconditionFailed)) throw e;
          failed.push(quotas[i].quota.metadata.name!);
          lastErr = errors.conflict({ group: '', resource: 'resourcequotas' }, quotas[i].quota.metadata.name!,
            'the object has been modified; please apply your changes to the latest version and try again');
        }
      }
      if (!failed.length) return;
      if (retries <= 0) {
        for (const w of batch) if (w.result === 'pending') w.result = lastErr;
        return;
      }
      // Only the quotas whose write lost are checked again, read fresh; the others hold the charge already.
      quotas = (await this.quotas(namespace, true)).filter((q) => failed.includes(q.quota.metadata.name!));
      if (!quotas.length) return;
    }
  }

  /** The namespace's quotas from the watch cache; fresh from etcd after a lost write, or (rarely) when the cache shows none. */
  private async quotas(namespace: string, fresh: boolean): Promise<Charged[]> {
    const rt = this.quotaType();
    const prefix = `${rt.storagePrefix}/${namespace}/`;
    let items = (await this.storage.list(prefix, { resourceVersion: !fresh && this.storage.ready() ? '0' : undefined })).items;
    if (!items.length && !fresh) {
      // A quota created a moment ago may not be in this instance's cache yet (kube's live lookup).
      const last = this.liveLookups.get(namespace) ?? 0;
      if (Date.now() - last > liveLookupTTLMs) {
        items = (await this.storage.list(prefix, {})).items;
        if (items.length) this.liveLookups.delete(namespace);
        else this.liveLookups.set(namespace, Date.now());
      }
    }
    return items.map((sv) => {
      const quota = JSON.parse(sv.value.toString()) as KubeObject;
      return { ...quotaState(quota), stored: sv };
    });
  }

  /** status.used written with the read's mod revision as precondition. */
  private async writeUsage(q: Charged): Promise<void> {
    const stored = JSON.parse(q.stored.value.toString()) as KubeObject;
    stored.status = { ...(stored.status ?? {}), used: formatResourceList(q.used) };
    delete stored.metadata.resourceVersion;
    await this.storage.update(q.stored.key, encode(stored), { modRevision: q.stored.modRevision });
  }

  private quotaType(): ResourceType {
    const rt = this.types.lookup('', 'v1', 'resourcequotas');
    if (!rt) throw new Error('resourcequotas are not served');
    return rt;
  }

  /** admission.NewForbidden: `<resource> "<name>" is forbidden: <why>`. */
  private forbidden(attrs: AdmissionAttributes, why: string): ApiError {
    const m = attrs.object?.metadata;
    const name = m?.name || m?.generateName || 'Unknown';
    return errors.forbiddenResource(attrs.resource.group, attrs.resource.resource, name, why);
  }
}
