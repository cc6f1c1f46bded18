// Built-in strategies: the defaults, validation messages and table cells users see.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../server/api/object.js';
import { deployments } from '../../server/resources/apps/deployments.js';
import { horizontalpodautoscalersV1, v1ToV2, v2ToV1 } from '../../server/resources/autoscaling/horizontalpodautoscalers.js';
import { cronError } from '../../server/resources/batch/cron.js';
import { jobs } from '../../server/resources/batch/jobs.js';
import { pods, podStatus } from '../../server/resources/core/pods.js';
import { services } from '../../server/resources/core/services.js';
import { eventsV1 } from '../../server/resources/events/events.js';
import type { ResourceType } from '../../server/registry/types.js';

const now = Date.parse('2026-01-01T00:10:00Z');
const meta = { name: 'x', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' };

function prepared(rt: ResourceType, obj: Record<string, unknown>): KubeObject {
  const o = structuredClone({ metadata: { ...meta }, ...obj }) as KubeObject;
  rt.strategy.prepareForCreate?.(o);
  rt.strategy.defaults?.(o);
  return o;
}

const errorsOf = (rt: ResourceType, o: KubeObject) => (rt.strategy.validate?.(o) ?? []).map((e) => `${e.field}: ${e.detailMessage()}`);

describe('deployments', () => {
  const deploy = (over: Record<string, unknown> = {}) => prepared(deployments, {
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } }, ...over },
  });
  it('gets kube-apiserver defaults', () => {
    const d = deploy() as any;
    expect(d.spec).toMatchObject({ replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } });
    expect(d.spec.template.spec).toMatchObject({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', terminationGracePeriodSeconds: 30, schedulerName: 'default-scheduler' });
    expect(d.spec.template.spec.containers[0]).toMatchObject({ imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' });
    expect(d.status).toEqual({});
  });
  it('names the mismatched selector and missing fields', () => {
    const bad = deploy({ template: { metadata: { labels: { app: 'other' } }, spec: { containers: [{ name: 'c' }] } } });
    expect(errorsOf(deployments, bad)).toEqual([
      'spec.template.metadata.labels: Invalid value: {"app":"other"}: `selector` does not match template `labels`',
      'spec.template.spec.containers[0].image: Required value',
    ]);
    expect(deployments.strategy.validateUpdate!(deploy({ selector: { matchLabels: { app: 'new' } } }), deploy()).map((e) => e.detailMessage())[0]).toContain('field is immutable');
  });
  it('prints READY UP-TO-DATE AVAILABLE AGE and the wide columns', () => {
    const d = deploy({ replicas: 3 }) as any;
    d.status = { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 };
    expect(deployments.strategy.table!.columns.map((c) => c.name)).toEqual(['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector']);
    expect(deployments.strategy.table!.cells(d, now)).toEqual(['x', '2/3', 3, 2, '10m', 'nginx', 'nginx:1.27', 'app=web']);
  });
});

describe('pods', () => {
  it('defaults, validation and table', () => {
    const p = prepared(pods, { spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }] }] } }) as any;
    expect(p.spec).toMatchObject({ enableServiceLinks: true, priority: 0 });
    expect(p.spec.containers[0]).toMatchObject({ imagePullPolicy: 'Always', ports: [{ containerPort: 80, protocol: 'TCP' }] });
    expect(p.status).toEqual({ phase: 'Pending', qosClass: 'BestEffort' });
    expect(pods.strategy.table!.cells(p, now).slice(0, 5)).toEqual(['x', '0/1', 'Pending', '0', '10m']);
    const bad = prepared(pods, { spec: { containers: [{ name: 'Bad', image: 'x' }, { name: 'Bad', image: 'y', ports: [{ containerPort: 70000 }] }], restartPolicy: 'Sometimes' } });
    const errs = errorsOf(pods, bad);
    expect(errs).toContain('spec.containers[1].name: Duplicate value: "Bad"');
    expect(errs).toContain('spec.containers[1].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive');
    expect(errs).toContain('spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"');
    expect(errs.some((e) => e.startsWith('spec.containers[0].name: Invalid value: "Bad": a lowercase RFC 1123 label'))).toBe(true);
  });
  it('status shows container waiting reasons and Terminating', () => {
    expect(podStatus({ status: { phase: 'Pending', containerStatuses: [{ state: { waiting: { reason: 'ImagePullBackOff' } } }] } })).toBe('ImagePullBackOff');
    expect(podStatus({ metadata: { deletionTimestamp: 'x' }, status: { phase: 'Running' } })).toBe('Terminating');
  });
});

describe('services', () => {
  it('defaults and the PORT(S) cell', () => {
    const s = prepared(services, { spec: { type: 'NodePort', selector: { app: 'web' }, ports: [{ port: 80, nodePort: 30080 }, { name: 'b', port: 443 }] } }) as any;
    expect(s.spec).toMatchObject({ sessionAffinity: 'None', internalTrafficPolicy: 'Cluster', ipFamilies: ['IPv4'], externalTrafficPolicy: 'Cluster' });
    expect(s.spec.ports[0]).toMatchObject({ protocol: 'TCP', targetPort: 80 });
    s.spec.clusterIP = '10.96.0.10';
    s.spec.clusterIPs = ['10.96.0.10'];
    expect(services.strategy.table!.cells(s, now)).toEqual(['x', 'NodePort', '10.96.0.10', '<none>', '80:30080/TCP,443/TCP', '10m', 'app=web']);
    expect(errorsOf(services, s)).toEqual(['spec.ports[0].name: Required value']);
  });
});

describe('jobs and cronjobs', () => {
  it('a Job without a restartPolicy is told which ones are valid', () => {
    const j = prepared(jobs, { spec: { template: { spec: { containers: [{ name: 'c', image: 'busybox' }] } } } });
    (j.metadata as any).uid = 'u1';
    expect(errorsOf(jobs, j)).toContain('spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"');
    expect((j.spec as any)).toMatchObject({ completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false });
  });
  it('parses cron schedules as the controller does', () => {
    expect(cronError('*/5 * * * *')).toBeUndefined();
    expect(cronError('@hourly')).toBeUndefined();
    expect(cronError('0 0 * JAN-MAR MON')).toBeUndefined();
    expect(cronError('61 * * * *')).toBe('end of range (61) above maximum (59): 61');
    expect(cronError('* * *')).toBe('expected exactly 5 fields, found 3: [* * *]');
    expect(cronError('@sometimes')).toBe('unrecognized descriptor: @sometimes');
  });
});

describe('conversions', () => {
  it('HPA v1 <-> v2 keeps every metric', () => {
    const v2: KubeObject = {
      apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'h' },
      spec: { scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' }, minReplicas: 1, maxReplicas: 5, metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
        { type: 'Resource', resource: { name: 'memory', target: { type: 'AverageValue', averageValue: '100Mi' } } },
      ] },
    };
    const v1 = v2ToV1(v2) as any;
    expect(v1.spec).toEqual({ scaleTargetRef: { kind: 'Deployment', name: 'web', apiVersion: 'apps/v1' }, minReplicas: 1, maxReplicas: 5, targetCPUUtilizationPercentage: 70 });
    expect(JSON.parse(v1.metadata.annotations['autoscaling.alpha.kubernetes.io/metrics'])).toHaveLength(1);
    expect(v1ToV2(v1)).toEqual(v2);
    expect(horizontalpodautoscalersV1.storageVersion).toBe('autoscaling/v2');
  });
  it('events.k8s.io/v1 reads core/v1 events with its own field names', () => {
    const core: KubeObject = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e' }, involvedObject: { kind: 'Pod', name: 'p' }, message: 'hi', reportingComponent: 'kubelet', count: 3 };
    const v1 = eventsV1.conversion!.fromStorage(core) as any;
    expect(v1).toMatchObject({ regarding: { kind: 'Pod', name: 'p' }, note: 'hi', reportingController: 'kubelet', deprecatedCount: 3 });
    expect(eventsV1.conversion!.toStorage(v1)).toMatchObject({ involvedObject: { kind: 'Pod', name: 'p' }, message: 'hi', count: 3 });
  });
});
