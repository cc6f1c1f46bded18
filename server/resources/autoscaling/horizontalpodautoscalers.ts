// HorizontalPodAutoscalers: stored as autoscaling/v2, also served as autoscaling/v1 through a conversion
// that keeps what v1 cannot say in the annotations kube-apiserver uses.
import { field, type FieldError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { tableOf } from '../../table/format.js';
import { defineResource } from '../define.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const metricsAnnotation = 'autoscaling.alpha.kubernetes.io/metrics';
const currentMetricsAnnotation = 'autoscaling.alpha.kubernetes.io/current-metrics';
const behaviorAnnotation = 'autoscaling.alpha.kubernetes.io/behavior';
const conditionsAnnotation = 'autoscaling.alpha.kubernetes.io/conditions';

const isCPUUtilization = (m: Obj) => m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource?.target?.type === 'Utilization';

export function v2ToV1(obj: KubeObject): KubeObject {
  const out = structuredClone(obj) as Obj;
  const spec = out.spec ?? {};
  const annotations: Record<string, string> = { ...(out.metadata.annotations ?? {}) };
  const metrics: Obj[] = spec.metrics ?? [];
  const cpu = metrics.find(isCPUUtilization);
  const others = metrics.filter((m) => m !== cpu);
  if (others.length) annotations[metricsAnnotation] = JSON.stringify(others);
  if (spec.behavior) annotations[behaviorAnnotation] = JSON.stringify(spec.behavior);
  out.spec = { scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas };
  if (cpu) out.spec.targetCPUUtilizationPercentage = cpu.resource.target.averageUtilization;
  const st = out.status;
  if (st) {
    const currentCpu = (st.currentMetrics ?? []).find((m: Obj) => m.type === 'Resource' && m.resource?.name === 'cpu');
    const otherCurrent = (st.currentMetrics ?? []).filter((m: Obj) => m !== currentCpu);
    if (otherCurrent.length) annotations[currentMetricsAnnotation] = JSON.stringify(otherCurrent);
    if ((st.conditions ?? []).length) annotations[conditionsAnnotation] = JSON.stringify(st.conditions);
    out.status = { observedGeneration: st.observedGeneration, lastScaleTime: st.lastScaleTime, currentReplicas: st.currentReplicas ?? 0, desiredReplicas: st.desiredReplicas ?? 0 };
    if (currentCpu?.resource?.current?.averageUtilization !== undefined) out.status.currentCPUUtilizationPercentage = currentCpu.resource.current.averageUtilization;
    for (const k of Object.keys(out.status)) if (out.status[k] === undefined) delete out.status[k];
  }
  if (Object.keys(annotations).length) out.metadata.annotations = annotations;
  return out as KubeObject;
}

export function v1ToV2(obj: KubeObject): KubeObject {
  const out = structuredClone(obj) as Obj;
  const spec = out.spec ?? {};
  const annotations: Record<string, string> = { ...(out.metadata.annotations ?? {}) };
  const take = (k: string): any => {
    const v = annotations[k];
    delete annotations[k];
    try {
      return v ? JSON.parse(v) : undefined;
    } catch {
      return undefined;
    }
  };
  const metrics: Obj[] = [];
  if (spec.targetCPUUtilizationPercentage !== undefined) {
    metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } });
  }
  metrics.push(...(take(metricsAnnotation) ?? []));
  const behavior = take(behaviorAnnotation);
  const currentMetrics = take(currentMetricsAnnotation);
  const conditions = take(conditionsAnnotation);
  out.spec = { scaleTargetRef: spec.scaleTargetRef, minReplicas: spec.minReplicas, maxReplicas: spec.maxReplicas };
  if (metrics.length) out.spec.metrics = metrics;
  if (behavior) out.spec.behavior = behavior;
  if (out.status) {
    const st = out.status;
    const cm: Obj[] = [];
    if (st.currentCPUUtilizationPercentage !== undefined) cm.push({ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: st.currentCPUUtilizationPercentage } } });
    cm.push(...(currentMetrics ?? []));
    out.status = { observedGeneration: st.observedGeneration, lastScaleTime: st.lastScaleTime, currentReplicas: st.currentReplicas, desiredReplicas: st.desiredReplicas };
    if (cm.length) out.status.currentMetrics = cm;
    if (conditions) out.status.conditions = conditions;
    for (const k of Object.keys(out.status)) if (out.status[k] === undefined) delete out.status[k];
  }
  if (Object.keys(annotations).length) out.metadata.annotations = annotations;
  else delete out.metadata.annotations;
  return out as KubeObject;
}

function validate(obj: KubeObject): FieldError[] {
  const spec = (obj.spec ?? {}) as Obj;
  const errs: FieldError[] = [];
  if (!spec.scaleTargetRef?.kind) errs.push(field.required('spec.scaleTargetRef.kind'));
  if (!spec.scaleTargetRef?.name) errs.push(field.required('spec.scaleTargetRef.name'));
  if (spec.minReplicas !== undefined && spec.minReplicas < 1) errs.push(field.invalid('spec.minReplicas', spec.minReplicas, 'must be greater than or equal to 1'));
  if (spec.maxReplicas === undefined || spec.maxReplicas < 1) errs.push(field.invalid('spec.maxReplicas', spec.maxReplicas ?? 0, 'must be greater than 0'));
  else if (spec.minReplicas !== undefined && spec.maxReplicas < spec.minReplicas) errs.push(field.invalid('spec.maxReplicas', spec.maxReplicas, 'must be greater than or equal to `minReplicas`'));
  return errs;
}

function targets(o: Obj): string {
  const metrics: Obj[] = o.spec?.metrics ?? [];
  if (!metrics.length) return '<none>';
  const current: Obj[] = o.status?.currentMetrics ?? [];
  return metrics.map((m, i) => {
    if (m.type === 'Resource') {
      const cur = current[i]?.resource?.current;
      const t = m.resource?.target ?? {};
      const now = t.type === 'Utilization' ? (cur?.averageUtilization !== undefined ? `${cur.averageUtilization}%` : '<unknown>') : (cur?.averageValue ?? '<unknown>');
      const want = t.type === 'Utilization' ? `${t.averageUtilization}%` : (t.averageValue ?? t.value);
      return `${m.resource?.name}: ${now}/${want}`;
    }
    return `<unknown>/${JSON.stringify(m[m.type?.[0]?.toLowerCase() + m.type?.slice(1)]?.target?.value ?? '')}`;
  }).join(', ');
}

const table = tableOf([
  ['Reference', 'string', 'Reference to the target object', 0, (o: Obj) => `${o.spec?.scaleTargetRef?.kind}/${o.spec?.scaleTargetRef?.name}`],
  ['Targets', 'string', 'The current and desired metrics', 0, targets],
  ['MinPods', 'string', 'Lower limit for the number of pods.', 0, (o: Obj) => String(o.spec?.minReplicas ?? '<unset>')],
  ['MaxPods', 'integer', 'Upper limit for the number of pods.', 0, (o: Obj) => o.spec?.maxReplicas ?? 0],
  ['Replicas', 'integer', 'Current number of replicas of pods managed by this autoscaler.', 0, (o: Obj) => o.status?.currentReplicas ?? 0],
]);

const v2Strategy = {
  prepareForCreate(obj: KubeObject) {
    obj.status = { currentReplicas: 0, desiredReplicas: 0 };
  },
  prepareForUpdate(obj: KubeObject, old: KubeObject) {
    obj.status = old.status;
  },
  defaults(obj: KubeObject) {
    const spec = (obj.spec ??= {}) as Obj;
    spec.minReplicas ??= 1;
    if (!spec.metrics) spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  },
  validate,
};

export const horizontalpodautoscalersV2 = defineResource({
  group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler', resource: 'horizontalpodautoscalers', namespaced: true, shortNames: ['hpa'], categories: ['all'],
  subresources: { status: true }, storageVersion: 'autoscaling/v2',
  strategy: { ...v2Strategy, table },
});

export const horizontalpodautoscalersV1 = defineResource({
  group: 'autoscaling', version: 'v1', kind: 'HorizontalPodAutoscaler', resource: 'horizontalpodautoscalers', namespaced: true, shortNames: ['hpa'], categories: ['all'],
  subresources: { status: true }, storageVersion: 'autoscaling/v2',
  conversion: {
    fromStorage: (obj) => v2ToV1(obj),
    toStorage: (obj) => ({ ...v1ToV2(obj), apiVersion: 'autoscaling/v2' }),
  },
  strategy: {
    ...v2Strategy,
    // Defaults and validation run on the v1 shape here; the stored v2 object gets its metrics from targetCPU.
    defaults(obj: KubeObject) {
      const spec = (obj.spec ??= {}) as Obj;
      spec.minReplicas ??= 1;
    },
    table: tableOf([
      ['Reference', 'string', 'Reference to the target object', 0, (o: Obj) => `${o.spec?.scaleTargetRef?.kind}/${o.spec?.scaleTargetRef?.name}`],
      ['Targets', 'string', 'The current and desired metrics', 0, (o: Obj) => `cpu: ${o.status?.currentCPUUtilizationPercentage !== undefined ? `${o.status.currentCPUUtilizationPercentage}%` : '<unknown>'}/${o.spec?.targetCPUUtilizationPercentage ?? 80}%`],
      ['MinPods', 'string', 'Lower limit for the number of pods.', 0, (o: Obj) => String(o.spec?.minReplicas ?? '<unset>')],
      ['MaxPods', 'integer', 'Upper limit for the number of pods.', 0, (o: Obj) => o.spec?.maxReplicas ?? 0],
      ['Replicas', 'integer', 'Current number of replicas of pods managed by this autoscaler.', 0, (o: Obj) => o.status?.currentReplicas ?? 0],
    ]),
  },
});
