// batch/v1 and autoscaling strategies: Job selectors and status, cron schedules, HPA defaults, v1 <-> v2 and TARGETS.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../server/api/object.js';
import { formatMetrics, horizontalpodautoscalersV1, horizontalpodautoscalersV2, v1ToV2, v2ToV1 } from '../../server/resources/autoscaling/horizontalpodautoscalers.js';
import { cronError } from '../../server/resources/batch/cron.js';
import { cronjobs } from '../../server/resources/batch/cronjobs.js';
import { jobs } from '../../server/resources/batch/jobs.js';
import type { ResourceType } from '../../server/registry/types.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const now = Date.parse('2026-01-01T00:10:00Z');
const pod = { containers: [{ name: 'c', image: 'busybox' }] };

function created(rt: ResourceType, spec: Record<string, unknown>): any {
  const o = { kind: rt.kind, metadata: { name: 'x', namespace: 'default', uid: 'uid-1', creationTimestamp: '2026-01-01T00:00:00Z' }, spec: structuredClone(spec) } as KubeObject;
  rt.strategy.prepareForCreate?.(o);
  rt.strategy.defaults?.(o);
  return o;
}
const messages = (rt: ResourceType, o: KubeObject) => (rt.strategy.validate?.(o) ?? []).map((e) => `${e.field}: ${e.detailMessage()}`);

describe('Job', () => {
  it('gets the generated selector and labels, and kube defaults', () => {
    const j = created(jobs, { template: { spec: { ...pod, restartPolicy: 'Never' } } });
    expect(j.spec.selector).toEqual({ matchLabels: { 'batch.kubernetes.io/controller-uid': 'uid-1' } });
    expect(j.spec.template.metadata.labels).toEqual({ 'batch.kubernetes.io/controller-uid': 'uid-1', 'batch.kubernetes.io/job-name': 'x', 'controller-uid': 'uid-1', 'job-name': 'x' });
    expect(j.spec).toMatchObject({ completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false, podReplacementPolicy: 'TerminatingOrFailed' });
    expect(messages(jobs, j)).toEqual([]);
  });
  it('a manual selector is kept; restartPolicy Always is refused', () => {
    const j = created(jobs, { manualSelector: true, selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { ...pod, restartPolicy: 'Always' } } });
    expect(j.spec.selector).toEqual({ matchLabels: { a: 'b' } });
    expect(messages(jobs, j)).toEqual(['spec.template.spec.restartPolicy: Unsupported value: "Always": supported values: "OnFailure", "Never"']);
  });
  it('STATUS, COMPLETIONS and DURATION cells', () => {
    const j = created(jobs, { template: { spec: { ...pod, restartPolicy: 'Never' } } });
    j.status = { succeeded: 1, startTime: '2026-01-01T00:00:00Z', completionTime: '2026-01-01T00:00:42Z', conditions: [{ type: 'Complete', status: 'True' }] };
    expect(jobs.strategy.table!.cells(j, now).slice(0, 5)).toEqual(['x', 'Complete', '1/1', '42s', '10m']);
    const p = created(jobs, { parallelism: 3, template: { spec: { ...pod, restartPolicy: 'Never' } } });
    delete p.spec.completions;
    expect(jobs.strategy.table!.cells(p, now).slice(1, 3)).toEqual(['Running', '0/1 of 3']);
  });
});

describe('CronJob', () => {
  it('parses schedules as robfig/cron reports them', () => {
    for (const ok of ['*/5 * * * *', '0 0 * * 0', '@hourly', '@daily', '0 9-17 * jan-dec mon-fri', '15,45 * ? * *']) expect(cronError(ok)).toBeUndefined();
    expect(cronError('x')).toBe('expected exactly 5 fields, found 1: [x]');
    expect(cronError('60 * * * *')).toBe('end of range (60) above maximum (59): 60');
    expect(cronError('* * 0 * *')).toBe('beginning of range (0) below minimum (1): 0');
    expect(cronError('@often')).toBe('unrecognized descriptor: @often');
  });
  it('defaults and the messages a user sees', () => {
    const cj = created(cronjobs, { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { ...pod, restartPolicy: 'OnFailure' } } } } });
    expect(cj.spec).toMatchObject({ concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
    expect(cj.spec.jobTemplate.spec).toMatchObject({ backoffLimit: 6, completionMode: 'NonIndexed' });
    expect(messages(cronjobs, cj)).toEqual([]);
    const bad = created(cronjobs, { schedule: 'x', timeZone: 'Mars/Olympus', jobTemplate: { spec: { template: { spec: { ...pod, restartPolicy: 'OnFailure' } } } } });
    expect(messages(cronjobs, bad)).toEqual([
      'spec.schedule: Invalid value: "x": expected exactly 5 fields, found 1: [x]',
      'spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus',
    ]);
    expect(cronjobs.strategy.table!.cells(cj, now).slice(0, 7)).toEqual(['x', '*/5 * * * *', '<none>', 'False', 0, '<none>', '10m']);
  });
});

describe('HorizontalPodAutoscaler', () => {
  const ref = { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' };
  it('v2 defaults: minReplicas 1, a cpu 80% metric, and a given behavior filled in', () => {
    const h = created(horizontalpodautoscalersV2, { scaleTargetRef: ref, maxReplicas: 5, behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } });
    expect(h.spec.minReplicas).toBe(1);
    expect(h.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }]);
    expect(h.spec.behavior).toEqual({
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] },
      scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] },
    });
    expect(created(horizontalpodautoscalersV2, { scaleTargetRef: ref, maxReplicas: 5 }).spec.behavior).toBeUndefined();
    expect(h.status).toEqual({ desiredReplicas: 0 });
    expect(messages(horizontalpodautoscalersV2, created(horizontalpodautoscalersV2, { scaleTargetRef: ref, minReplicas: 3, maxReplicas: 2 })))
      .toEqual(['spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`']);
  });
  it('v1 targetCPUUtilizationPercentage is a v2 cpu Utilization metric; other v2 data rides in the annotations', () => {
    const v1 = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: { name: 'x' }, spec: { scaleTargetRef: ref, minReplicas: 1, maxReplicas: 4, targetCPUUtilizationPercentage: 50 }, status: { currentReplicas: 2, desiredReplicas: 2, currentCPUUtilizationPercentage: 30 } } as unknown as KubeObject;
    const v2 = v1ToV2(v1) as any;
    expect(v2.spec.metrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }]);
    expect(v2.status.currentMetrics).toEqual([{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 30 } } }]);
    expect(v2.metadata.annotations).toBeUndefined();
    expect(v2ToV1(v2)).toEqual(v1);
    const memory = { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } };
    const rich = { ...v2, spec: { ...v2.spec, metrics: [...v2.spec.metrics, memory], behavior: { scaleUp: { selectPolicy: 'Min' } } } };
    const down = v2ToV1(rich) as any;
    expect(down.spec.targetCPUUtilizationPercentage).toBe(50);
    expect(JSON.parse(down.metadata.annotations['autoscaling.alpha.kubernetes.io/metrics'])).toEqual([memory]);
    expect(v1ToV2(down)).toEqual(rich);
  });
  it('TARGETS as kube prints them, two metrics at most', () => {
    const cpu = { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } };
    const pods = { type: 'Pods', pods: { metric: { name: 'qps' }, target: { type: 'AverageValue', averageValue: '10' } } };
    const ext = { type: 'External', external: { metric: { name: 'q' }, target: { type: 'AverageValue', averageValue: '30' } } };
    expect(formatMetrics([cpu], [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 12 } } }])).toBe('cpu: 12%/80%');
    expect(formatMetrics([cpu, pods, ext], undefined)).toBe('cpu: <unknown>/80%, <unknown>/10 + 1 more...');
    expect(formatMetrics([], undefined)).toBe('<none>');
    const h = created(horizontalpodautoscalersV2, { scaleTargetRef: ref, maxReplicas: 5 });
    expect(horizontalpodautoscalersV2.strategy.table!.cells(h, now)).toEqual(['x', 'Deployment/web', 'cpu: <unknown>/80%', '1', 5, 0, '10m']);
    const v1 = v2ToV1(h);
    expect(horizontalpodautoscalersV1.strategy.table!.cells(v1, now)).toEqual(['x', 'Deployment/web', 'cpu: <unknown>/80%', '1', 5, 0, '10m']);
  });
});
