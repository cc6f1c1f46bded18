// kube's CheckRequest (k8s.io/apiserver/pkg/admission/plugin/resourcequota/controller.go): which
// quotas a request falls under, whether it fits, and the quotas' usage once it is charged.
import type { KubeObject } from '../api/object.js';
import { type EvaluatedRequest, type Evaluator, scopeSelectorsOf } from './evaluator.js';
import { add, equals, lessThanOrEqual, mask, negativeNames, parseResourceList, prettyPrint, prettyPrintNames,
  removeZeros, type ResourceList, subtractNonNegative } from './resource-list.js';

/** A quota as the check sees it: the object, and its status parsed. */
export interface QuotaState {
  quota: KubeObject;
  hard: ResourceList;
  used: ResourceList;
}

export function quotaState(quota: KubeObject): QuotaState {
  const status = (quota.status ?? {}) as { hard?: Record<string, unknown>; used?: Record<string, unknown> };
  return { quota, hard: parseResourceList(status.hard), used: parseResourceList(status.used) };
}

/** A refusal; the plugin makes it kube's Forbidden (`<resource> "<name>" is forbidden: <message>`). */
export class QuotaRefusal extends Error {}

function matches(evaluator: Evaluator, q: QuotaState, obj: KubeObject): boolean {
  if (!evaluator.matchingResources(Object.keys(q.hard)).length) return false;
  return scopeSelectorsOf(q.quota).every((s) => evaluator.matchesScope(s, obj));
}

/** Every hard name among `names` has a used value (kube's hasUsageStats). */
function hasUsageStats(q: QuotaState, names: string[]): boolean {
  return Object.keys(q.hard).every((k) => !names.includes(k) || k in q.used);
}

/** The quotas with this request charged, or the same array when it changes nothing; throws QuotaRefusal. */
export function checkRequest(quotas: QuotaState[], req: EvaluatedRequest, evaluator: Evaluator): QuotaState[] {
  if (!evaluator.handles(req) || !req.object) return quotas;
  const obj = req.object;
  const interesting: number[] = [];
  quotas.forEach((q, i) => {
    if (!matches(evaluator, q, obj)) return;
    const restricted = evaluator.matchingResources(Object.keys(q.hard));
    const why = evaluator.constraints(restricted, obj);
    if (why) throw new QuotaRefusal(`failed quota: ${q.quota.metadata.name}: ${why}`);
    if (!hasUsageStats(q, restricted)) {
      throw new QuotaRefusal(`status unknown for quota: ${q.quota.metadata.name}, resources: ${prettyPrintNames(restricted)}`);
    }
    interesting.push(i);
  });
  if (!interesting.length) return quotas;

  const inputUsage = evaluator.usage(obj);
  const negative = negativeNames(inputUsage);
  if (negative.length) throw new QuotaRefusal(`quota usage is negative for resource(s): ${prettyPrintNames(negative)}`);

  const delta = new Map<number, ResourceList>(interesting.map((i) => [i, inputUsage]));
  if (req.operation === 'UPDATE') {
    const prev = req.oldObject;
    if (!prev) throw new QuotaRefusal('unable to get previous usage since prior version of object was not found');
    if (prev.metadata.resourceVersion) {
      // An update pays the difference to the old object, for the quotas the old object fell under too.
      const deltaUsage = subtractNonNegative(inputUsage, evaluator.usage(prev));
      for (const i of interesting) if (matches(evaluator, quotas[i], prev)) delta.set(i, deltaUsage);
    }
  }
  for (const [i, d] of delta) {
    const nonZero = removeZeros(d);
    if (Object.keys(nonZero).length) delta.set(i, nonZero);
    else delta.delete(i);
  }
  if (!delta.size) return quotas;

  const out = quotas.slice();
  for (const i of interesting) {
    const d = delta.get(i);
    if (!d) continue;
    const q = out[i];
    const requested = mask(d, Object.keys(q.hard));
    const newUsage = add(q.used, requested);
    if (req.subresource !== 'status') {
      const { allowed, exceeded } = lessThanOrEqual(mask(newUsage, Object.keys(requested)), q.hard);
      if (!allowed) {
        throw new QuotaRefusal(`exceeded quota: ${q.quota.metadata.name}, requested: ${prettyPrint(mask(requested, exceeded))}, `
          + `used: ${prettyPrint(mask(q.used, exceeded))}, limited: ${prettyPrint(mask(q.hard, exceeded))}`);
      }
    }
    out[i] = { ...q, used: newUsage };
  }
  return out;
}

/** Whether charging changed a quota's usage. */
export function usageChanged(before: QuotaState, after: QuotaState): boolean {
  return !equals(before.used, after.used);
}
