// HorizontalPodAutoscalers: stored as autoscaling/v2, also served as autoscaling/v1 through a conversion
// that keeps what v1 cannot say in the annotations kube-apiserver uses.
import { field, type FieldError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { tableOf } from '../../table/format.js';
import { defineResource } from '../define.js';
import { statusSplit } from '../status.js';

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

/** The TARGETS cell: each metric as `current/target`, two at most, as kube's printer formats them. */
export function formatMetrics(specs: Obj[] | undefined, statuses: Obj[] | undefined): string {
  if (!specs?.length) return '<none>';
  const current = (i: number, type: string) => statuses?.[i]?.[type];
  const list = specs.map((m, i) => {
    switch (m.type) {
      case 'Resource':
      case 'ContainerResource': {
        const src = m.type === 'Resource' ? m.resource : m.containerResource;
        const cur = current(i, m.type === 'Resource' ? 'resource' : 'containerResource');
        const t = src?.target ?? {};
        if (t.averageValue !== undefined) return `${src?.name}: ${cur?.current?.averageValue ?? '<unknown>'}/${t.averageValue}`;
        const now = cur?.current?.averageUtilization !== undefined ? `${cur.current.averageUtilization}%` : '<unknown>';
        return `${src?.name}: ${now}/${t.averageUtilization !== undefined ? `${t.averageUtilization}%` : '<auto>'}`;
      }
      case 'Pods':
        return `${current(i, 'pods')?.current?.averageValue ?? '<unknown>'}/${m.pods?.target?.averageValue}`;
      case 'Object':
      case 'External': {
        const key = m.type === 'Object' ? 'object' : 'external';
        const t = m[key]?.target ?? {};
        const cur = current(i, key)?.current;
        if (t.averageValue !== undefined) return `${cur?.averageValue ?? '<unknown>'}/${t.averageValue} (avg)`;
        return `${cur?.value ?? '<unknown>'}/${t.value}`;
      }
      default:
        return '<unknown type>';
    }
  });
  return list.length > 2 ? `${list.slice(0, 2).join(', ')} + ${list.length - 2} more...` : list.join(', ');
}

const table = tableOf([
  ['Reference', 'string', 'scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.', 0, (o: Obj) => `${o.spec?.scaleTargetRef?.kind}/${o.spec?.scaleTargetRef?.name}`],
  ['Targets', 'string', 'metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).', 0, (o: Obj) => formatMetrics(o.spec?.metrics, o.status?.currentMetrics)],
  ['MinPods', 'string', 'minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.', 0, (o: Obj) => (o.spec?.minReplicas !== undefined ? String(o.spec.minReplicas) : '<unset>')],
  ['MaxPods', 'string', 'maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up.', 0, (o: Obj) => o.spec?.maxReplicas ?? 0],
  ['Replicas', 'string', 'currentReplicas is current number of replicas of pods managed by this autoscaler.', 0, (o: Obj) => o.status?.currentReplicas ?? 0],
]);

// autoscaling/v2 SetDefaults_HorizontalPodAutoscalerBehavior: a behavior that is given is filled in; none stays none.
const scaleUpDefaults = () => ({
  stabilizationWindowSeconds: 0, selectPolicy: 'Max',
  policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }],
});
const scaleDownDefaults = () => ({ selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] });

function defaultRules(rules: Obj | undefined, defaults: Obj): Obj {
  if (!rules) return defaults;
  for (const k of ['stabilizationWindowSeconds', 'selectPolicy', 'policies']) if (rules[k] === undefined && defaults[k] !== undefined) rules[k] = defaults[k];
  return rules;
}

export function defaultV2(obj: KubeObject): void {
  const spec = (obj.spec ??= {}) as Obj;
  spec.minReplicas ??= 1;
  if (!spec.metrics?.length) spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  if (spec.behavior) {
    spec.behavior.scaleUp = defaultRules(spec.behavior.scaleUp, scaleUpDefaults());
    spec.behavior.scaleDown = defaultRules(spec.behavior.scaleDown, scaleDownDefaults());
  }
}

const v2Strategy = {
  // desiredReplicas is the one status field autoscaling/v2 does not omit when empty.
  ...statusSplit(() => ({ desiredReplicas: 0 })),
  defaults: defaultV2,
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
    // kube prints v1 through the same internal object, so v1 shows the v2 TARGETS cell.
    table: {
      columns: table.columns,
      cells: (o, now) => table.cells(v1ToV2(o), now),
    },
  },
});
