// LimitRanger (kube's plugin/pkg/admission/limitranger): the namespace's LimitRanges give pod
// containers their default requests and limits (mutating), and bound containers, pods and
// PersistentVolumeClaims by min, max and maxLimitRequestRatio (validating).
import { errors } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import { formatQuantity, parseQuantity, type Quantity } from '../api/quantity.js';
import { decode } from '../registry/encoding.js';
import type { TypeRegistry } from '../registry/registry.js';
import type { Storage } from '../storage/interface.js';
import { podResourceList } from '../quota/pods.js';
import { parseResourceList, type ResourceList } from '../quota/resource-list.js';
import type { AdmissionAttributes, AdmissionPlugin } from './chain.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;
type LimitRangeItem = { type?: string; min?: Obj; max?: Obj; default?: Obj; defaultRequest?: Obj; maxLimitRequestRatio?: Obj };

const limitRangerAnnotation = 'kubernetes.io/limit-ranger';
/** A namespace whose cache showed no LimitRange is listed live at most this often (kube's liveTTL). */
const liveLookupTTLMs = 30_000;
const maxMilliValue = 9223372036854775807n / 1000n;

/** kube's Value() and MilliValue(): rounded up. */
function ceilDiv(n: bigint, d: bigint): bigint {
  return n >= 0n ? (n + d - 1n) / d : n / d;
}

/** Compared in milli units when all three fit, else in whole units (kube's requestLimitEnforcedValues). */
function observed(req: Quantity | undefined, lim: Quantity | undefined, enforced: Quantity): [bigint, bigint, bigint] {
  const values = [req, lim, enforced].map((q) => ceilDiv(q?.nano ?? 0n, 1_000_000_000n));
  if (values.every((v) => v <= maxMilliValue)) return [req, lim, enforced].map((q) => ceilDiv(q?.nano ?? 0n, 1_000_000n)) as [bigint, bigint, bigint];
  return values as [bigint, bigint, bigint];
}

function minConstraint(type: string, name: string, enforced: Quantity, request: ResourceList, limit: ResourceList): string | undefined {
  const req = request[name];
  const lim = limit[name];
  const [r, l, e] = observed(req, lim, enforced);
  if (!req) return `minimum ${name} usage per ${type} is ${formatQuantity(enforced)}.  No request is specified`;
  if (r < e) return `minimum ${name} usage per ${type} is ${formatQuantity(enforced)}, but request is ${formatQuantity(req)}`;
  if (lim && l < e) return `minimum ${name} usage per ${type} is ${formatQuantity(enforced)}, but limit is ${formatQuantity(lim)}`;
  return undefined;
}

function maxRequestConstraint(type: string, name: string, enforced: Quantity, request: ResourceList): string | undefined {
  const req = request[name];
  const [r, , e] = observed(req, undefined, enforced);
  if (!req) return `maximum ${name} usage per ${type} is ${formatQuantity(enforced)}.  No request is specified`;
  if (r > e) return `maximum ${name} usage per ${type} is ${formatQuantity(enforced)}, but request is ${formatQuantity(req)}`;
  return undefined;
}

function maxConstraint(type: string, name: string, enforced: Quantity, request: ResourceList, limit: ResourceList): string | undefined {
  const req = request[name];
  const lim = limit[name];
  const [r, l, e] = observed(req, lim, enforced);
  if (!lim) return `maximum ${name} usage per ${type} is ${formatQuantity(enforced)}.  No limit is specified`;
  if (l > e) return `maximum ${name} usage per ${type} is ${formatQuantity(enforced)}, but limit is ${formatQuantity(lim)}`;
  if (req && r > e) return `maximum ${name} usage per ${type} is ${formatQuantity(enforced)}, but request is ${formatQuantity(req)}`;
  return undefined;
}

function ratioConstraint(type: string, name: string, enforced: Quantity, request: ResourceList, limit: ResourceList): string | undefined {
  const [r, l] = observed(request[name], limit[name], enforced);
  const shown = formatQuantity(enforced);
  if (!request[name] || r === 0n) return `${name} max limit to request ratio per ${type} is ${shown}, but no request is specified or request is 0`;
  if (!limit[name] || l === 0n) return `${name} max limit to request ratio per ${type} is ${shown}, but no limit is specified or limit is 0`;
  const ratio = Number(l) / Number(r);
  const enforcedValue = ceilDiv(enforced.nano, 1_000_000_000n);
  const [observedRatio, max] = enforcedValue <= maxMilliValue
    ? [ratio * 1000, Number(ceilDiv(enforced.nano, 1_000_000n))] : [ratio, Number(enforcedValue)];
  if (observedRatio > max) return `${name} max limit to request ratio per ${type} is ${shown}, but provided ratio is ${ratio.toFixed(6)}`;
  return undefined;
}

/** Every constraint of one kind, in resource name order (kube ranges over a map; one order is as good as another). */
function each(list: Obj | undefined, check: (name: string, enforced: Quantity) => string | undefined, out: string[]): void {
  const parsed = parseResourceList(list);
  for (const name of Object.keys(parsed).sort()) {
    const why = check(name, parsed[name]);
    if (why) out.push(why);
  }
}

function boundContainerOrPod(item: LimitRangeItem, type: string, request: ResourceList, limit: ResourceList, out: string[]): void {
  each(item.min, (n, e) => minConstraint(type, n, e, request, limit), out);
  each(item.max, (n, e) => maxConstraint(type, n, e, request, limit), out);
  each(item.maxLimitRequestRatio, (n, e) => ratioConstraint(type, n, e, request, limit), out);
}

/** kube's PodValidateLimitFunc / PersistentVolumeClaimValidateLimitFunc: every violation, aggregated. */
export function validateLimits(limitRange: KubeObject, resource: string, obj: KubeObject): string | undefined {
  const out: string[] = [];
  const spec = (obj.spec ?? {}) as Obj;
  for (const item of ((limitRange.spec as Obj | undefined)?.limits ?? []) as LimitRangeItem[]) {
    if (resource === 'pods' && item.type === 'Container') {
      for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])] as Obj[]) {
        boundContainerOrPod(item, 'Container', parseResourceList(c.resources?.requests), parseResourceList(c.resources?.limits), out);
      }
    }
    if (resource === 'pods' && item.type === 'Pod') {
      boundContainerOrPod(item, 'Pod', podResourceList(spec, 'requests', false), podResourceList(spec, 'limits', false), out);
    }
    if (resource === 'persistentvolumeclaims' && item.type === 'PersistentVolumeClaim') {
      const requests = parseResourceList(spec.resources?.requests);
      each(item.min, (n, e) => minConstraint('PersistentVolumeClaim', n, e, requests, {}), out);
      each(item.max, (n, e) => maxRequestConstraint('PersistentVolumeClaim', n, e, requests), out);
    }
  }
  if (!out.length) return undefined;
  // utilerrors.NewAggregate's message: one error as is, several in brackets.
  return out.length === 1 ? out[0] : `[${out.join(', ')}]`;
}

/** kube's PodMutateLimitFunc: Container defaults into every container that lacks them, noted in an annotation. */
export function applyDefaults(limitRange: KubeObject, pod: KubeObject): void {
  const defaults = { requests: {} as Obj, limits: {} as Obj };
  for (const item of ((limitRange.spec as Obj | undefined)?.limits ?? []) as LimitRangeItem[]) {
    if (item.type !== 'Container') continue;
    Object.assign(defaults.requests, item.defaultRequest ?? {});
    Object.assign(defaults.limits, item.default ?? {});
  }
  const spec = (pod.spec ?? {}) as Obj;
  const notes: string[] = [];
  const merge = (c: Obj, prefix: string) => {
    c.resources ??= {};
    const limits: Obj = (c.resources.limits ??= {});
    const requests: Obj = (c.resources.requests ??= {});
    // A limit without a request requests the limit: kube's decoding defaulted that before admission.
    for (const [k, v] of Object.entries(limits)) if (!Object.hasOwn(requests, k)) requests[k] = v;
    const setLimits = Object.keys(defaults.limits).filter((k) => !Object.hasOwn(limits, k)).sort();
    for (const k of setLimits) limits[k] = defaults.limits[k];
    const setRequests = Object.keys(defaults.requests).filter((k) => !Object.hasOwn(requests, k)).sort();
    for (const k of setRequests) requests[k] = defaults.requests[k];
    if (setRequests.length) notes.push(`${setRequests.join(', ')} request for ${prefix} ${c.name}`);
    if (setLimits.length) notes.push(`${setLimits.join(', ')} limit for ${prefix} ${c.name}`);
  };
  for (const c of spec.containers ?? []) merge(c, 'container');
  for (const c of spec.initContainers ?? []) merge(c, 'init container');
  if (notes.length) (pod.metadata.annotations ??= {})[limitRangerAnnotation] = `LimitRanger plugin set: ${notes.join('; ')}`;
}

export class LimitRanger implements AdmissionPlugin {
  readonly name = 'LimitRanger';
  private readonly liveLookups = new Map<string, { expiry: number; items: KubeObject[] }>();

  constructor(private readonly storage: Storage, private readonly types: TypeRegistry) {}

  handles(operation: string): boolean {
    return operation === 'CREATE' || operation === 'UPDATE';
  }

  /** kube's SupportsAttributes: pods on create (and resize), PVCs on create and update. */
  private supports(attrs: AdmissionAttributes): boolean {
    const r = attrs.resource;
    if (r.group !== '' || !attrs.object) return false;
    if (r.resource === 'pods' && attrs.subresource === 'resize') return attrs.operation === 'UPDATE';
    if (attrs.subresource) return false;
    if (r.resource === 'pods') return attrs.operation === 'CREATE';
    return r.resource === 'persistentvolumeclaims';
  }

  async admit(attrs: AdmissionAttributes): Promise<void> {
    if (!this.supports(attrs) || attrs.oldObject?.metadata.deletionTimestamp || attrs.resource.resource !== 'pods') return;
    for (const lr of await this.limitRanges(attrs.namespace)) applyDefaults(lr, attrs.object!);
  }

  async validate(attrs: AdmissionAttributes): Promise<void> {
    if (!this.supports(attrs) || attrs.oldObject?.metadata.deletionTimestamp) return;
    for (const lr of await this.limitRanges(attrs.namespace)) {
      const why = validateLimits(lr, attrs.resource.resource, attrs.object!);
      if (why) {
        const m = attrs.object!.metadata;
        throw errors.forbiddenResource('', attrs.resource.resource, m.name || m.generateName || 'Unknown', why);
      }
    }
  }

  /** The namespace's LimitRanges from the cache; when it shows none, a live list kept for a while (kube's live lookup). */
  private async limitRanges(namespace: string): Promise<KubeObject[]> {
    const rt = this.types.lookup('', 'v1', 'limitranges');
    if (!rt || !namespace) return [];
    const prefix = `${rt.storagePrefix}/${namespace}/`;
    const cached = await this.storage.list(prefix, { resourceVersion: this.storage.ready() ? '0' : undefined });
    if (cached.items.length) return cached.items.map((sv) => decode(rt, sv));
    const live = this.liveLookups.get(namespace);
    if (live && live.expiry > Date.now()) return live.items;
    const items = (await this.storage.list(prefix, {})).items.map((sv) => decode(rt, sv));
    this.liveLookups.set(namespace, { expiry: Date.now() + liveLookupTTLMs, items });
    return items;
  }
}
