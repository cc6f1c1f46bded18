// kube's podutil.UpdatePodCondition: a condition set now keeps its lastTransitionTime while its
// status stays the same. Shared by pods/binding (PodScheduled) and pods/eviction (DisruptionTarget).
import type { KubeObject } from '../../api/object.js';
import { nowTimestamp } from '../meta.js';

export interface PodCondition { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string; lastProbeTime?: string }

export function updatePodCondition(pod: KubeObject, condition: PodCondition): void {
  const status = ((pod.status ??= {}) as { conditions?: PodCondition[] });
  const conditions = (status.conditions ??= []);
  const next: PodCondition = { ...condition, lastTransitionTime: nowTimestamp() };
  const i = conditions.findIndex((c) => c.type === condition.type);
  if (i < 0) {
    conditions.push(next);
    return;
  }
  if (conditions[i].status === condition.status) {
    if (conditions[i].lastTransitionTime) next.lastTransitionTime = conditions[i].lastTransitionTime;
    else delete next.lastTransitionTime;
  }
  conditions[i] = next;
}

/** podutil.IsPodReady: the Ready condition is True. */
export function isPodReady(pod: KubeObject): boolean {
  const conditions = (pod.status as { conditions?: PodCondition[] } | undefined)?.conditions ?? [];
  return conditions.some((c) => c.type === 'Ready' && c.status === 'True');
}
