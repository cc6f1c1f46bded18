// kube's pod evaluator (pkg/quota/v1/evaluator/core/pods.go): object count, compute requests and
// limits (the pod's effective ones: containers summed, init containers as a peak, overhead added),
// and the pod scopes.
import type { KubeObject } from '../api/object.js';
import { compareQuantity, quantity } from '../api/quantity.js';
import { type Evaluator, type ScopeSelector, selectorMatchesValue } from './evaluator.js';
import { add, parseResourceList, type ResourceList } from './resource-list.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const podResources = ['count/pods', 'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory',
  'requests.ephemeral-storage', 'limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'pods'];
const podResourcePrefixes = ['hugepages-', 'requests.hugepages-'];
/** Names a quota can require every container to state (kube's validationSet). */
const validationSet = new Set(['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']);

/** kube's IsNativeResource: no domain, or a kubernetes.io one. */
function isNative(name: string): boolean {
  return !name.includes('/') || name.includes('kubernetes.io/');
}

/** What one set of requests and limits costs (kube's podComputeUsageHelper). */
function computeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const result: ResourceList = { pods: quantity(1) };
  for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
    if (r in requests) {
      result[r] = requests[r];
      result[`requests.${r}`] = requests[r];
    }
    if (r in limits) result[`limits.${r}`] = limits[r];
  }
  for (const [r, q] of Object.entries(requests)) {
    if (r.startsWith('hugepages-')) {
      result[r] = q;
      result[`requests.${r}`] = q;
    }
  }
  return result;
}

function max(into: ResourceList, other: ResourceList): void {
  for (const [k, v] of Object.entries(other)) if (!(k in into) || compareQuantity(v, into[k]) > 0) into[k] = v;
}

/** The pod's effective requests or limits (kube's resourcehelper.PodRequests / PodLimits); LimitRanger's own copy leaves overhead out. */
export function podResourceList(spec: Obj, which: 'requests' | 'limits', withOverhead = true): ResourceList {
  let total: ResourceList = {};
  for (const c of spec.containers ?? []) total = add(total, parseResourceList(c.resources?.[which]));
  // Sidecars (restartable init containers) run alongside everything after them; other init containers one at a time.
  let sidecars: ResourceList = {};
  const initPeak: ResourceList = {};
  for (const c of spec.initContainers ?? []) {
    const own = parseResourceList(c.resources?.[which]);
    let peak: ResourceList;
    if (c.restartPolicy === 'Always') {
      total = add(total, own);
      sidecars = add(sidecars, own);
      peak = sidecars;
    } else peak = add(own, sidecars);
    max(initPeak, peak);
  }
  max(total, initPeak);
  // Pod-level resources, when set, replace the containers' sum for the resources they name.
  const podLevel = parseResourceList(spec.resources?.[which]);
  for (const [k, v] of Object.entries(podLevel)) if (k === 'cpu' || k === 'memory' || k.startsWith('hugepages-')) total[k] = v;
  if (withOverhead && spec.overhead) total = add(total, parseResourceList(spec.overhead));
  return total;
}

export function isTerminating(pod: KubeObject): boolean {
  const ads = (pod.spec as Obj | undefined)?.activeDeadlineSeconds;
  return typeof ads === 'number' && ads >= 0;
}

/** kube's qos.GetPodQOS == BestEffort: no cpu or memory asked for anywhere. */
export function isBestEffort(pod: KubeObject): boolean {
  const spec = (pod.spec ?? {}) as Obj;
  const lists = [...(spec.containers ?? []), ...(spec.initContainers ?? [])].flatMap((c: Obj) => [c.resources?.requests, c.resources?.limits]);
  lists.push(spec.resources?.requests, spec.resources?.limits);
  return !lists.some((l) => {
    const parsed = parseResourceList(l);
    return ['cpu', 'memory'].some((r) => r in parsed && parsed[r].nano !== 0n);
  });
}

function usesCrossNamespacePodAffinity(pod: KubeObject): boolean {
  const affinity = (pod.spec as Obj | undefined)?.affinity;
  const cross = (t: Obj) => (t?.namespaces?.length ?? 0) > 0 || t?.namespaceSelector != null;
  for (const a of [affinity?.podAffinity, affinity?.podAntiAffinity]) {
    if (!a) continue;
    if ((a.requiredDuringSchedulingIgnoredDuringExecution ?? []).some(cross)) return true;
    if ((a.preferredDuringSchedulingIgnoredDuringExecution ?? []).some((w: Obj) => cross(w.podAffinityTerm))) return true;
  }
  return false;
}

/** Terminal pods, and pods past their deletion grace period, are charged only their object count (kube's QuotaV1Pod). */
function chargedAsRunning(pod: KubeObject, now: number): boolean {
  const phase = (pod.status as Obj | undefined)?.phase;
  if (phase === 'Failed' || phase === 'Succeeded') return false;
  const { deletionTimestamp, deletionGracePeriodSeconds } = pod.metadata;
  if (deletionTimestamp && deletionGracePeriodSeconds !== undefined
    && now > Date.parse(deletionTimestamp) + deletionGracePeriodSeconds * 1000) return false;
  return true;
}

export function podUsage(pod: KubeObject, now = Date.now()): ResourceList {
  const result: ResourceList = { 'count/pods': quantity(1) };
  if (!chargedAsRunning(pod, now)) return result;
  const spec = (pod.spec ?? {}) as Obj;
  return add(result, computeUsage(podResourceList(spec, 'requests'), podResourceList(spec, 'limits')));
}

export function podMatchesScope(scope: ScopeSelector, pod: KubeObject): boolean {
  switch (scope.scopeName) {
    case 'Terminating': return isTerminating(pod);
    case 'NotTerminating': return !isTerminating(pod);
    case 'BestEffort': return isBestEffort(pod);
    case 'NotBestEffort': return !isBestEffort(pod);
    case 'PriorityClass': {
      const pc = (pod.spec as Obj | undefined)?.priorityClassName as string | undefined;
      return selectorMatchesValue(scope, pc ? pc : undefined);
    }
    case 'CrossNamespacePodAffinity': return usesCrossNamespacePodAffinity(pod);
    default: return false;
  }
}

export const podEvaluator: Evaluator = {
  handles(req) {
    if (req.subresource === 'resize') return req.operation === 'UPDATE';
    if (req.subresource !== '') return false;
    // An update matters only when it moves the pod in or out of the Terminating scope.
    if (req.operation === 'UPDATE' && req.object && req.oldObject) return isTerminating(req.object) !== isTerminating(req.oldObject);
    return req.operation === 'CREATE';
  },
  matchingResources: (input) => input.filter((n) => podResources.includes(n) || podResourcePrefixes.some((p) => n.startsWith(p))
    || (n.startsWith('requests.') && (!isNative(n) || n.startsWith('requests.deviceclass.resource.kubernetes.io/')))),
  matchesScope: podMatchesScope,
  constraints(required, pod) {
    const spec = (pod.spec ?? {}) as Obj;
    // Pod-level resources satisfy any quota on their own.
    if (spec.resources?.requests || spec.resources?.limits) return undefined;
    const requiredSet = required.filter((r) => validationSet.has(r));
    const missing = new Map<string, Set<string>>();
    for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])] as Obj[]) {
      const have = computeUsage(parseResourceList(c.resources?.requests), parseResourceList(c.resources?.limits));
      for (const r of requiredSet) if (!(r in have)) missing.set(r, (missing.get(r) ?? new Set()).add(c.name));
    }
    if (!missing.size) return undefined;
    const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(',')}`);
    return `must specify ${parts.join('; ')}`;
  },
  usage: (pod) => podUsage(pod),
};
