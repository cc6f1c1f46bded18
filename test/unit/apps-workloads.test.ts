// apps/v1 strategies: the defaults, messages and cells kube-apiserver gives Deployments, ReplicaSets, StatefulSets, DaemonSets.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../server/api/object.js';
import { controllerrevisions } from '../../server/resources/apps/controllerrevisions.js';
import { daemonsets } from '../../server/resources/apps/daemonsets.js';
import { deployments } from '../../server/resources/apps/deployments.js';
import { replicasets } from '../../server/resources/apps/replicasets.js';
import { statefulsets } from '../../server/resources/apps/statefulsets.js';
import type { ResourceType } from '../../server/registry/types.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const now = Date.parse('2026-01-01T01:00:00Z');
const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }, { name: 'side', image: 'busybox' }] } };

function created(rt: ResourceType, spec: Record<string, unknown>, status?: Record<string, unknown>): any {
  const o = { apiVersion: 'apps/v1', kind: rt.kind, metadata: { name: 'web', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' }, spec: structuredClone(spec), status: { bogus: 1 } } as KubeObject;
  rt.strategy.prepareForCreate?.(o);
  rt.strategy.defaults?.(o);
  if (status) o.status = status;
  return o;
}
const messages = (rt: ResourceType, o: KubeObject) => (rt.strategy.validate?.(o) ?? []).map((e) => `${e.field}: ${e.detailMessage()}`);
const cells = (rt: ResourceType, o: KubeObject) => rt.strategy.table!.cells(o, now);
const header = (rt: ResourceType) => rt.strategy.table!.columns.map((c) => `${c.name}${c.priority ? '*' : ''}`);

describe('Deployment', () => {
  const spec = { selector: { matchLabels: { app: 'web' } }, template };
  it('defaults replicas, strategy, history, deadline and the pod template; a client status is dropped', () => {
    const d = created(deployments, spec);
    expect(d.spec).toMatchObject({
      replicas: 1, revisionHistoryLimit: 10, progressDeadlineSeconds: 600,
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
    });
    expect(d.spec.template.spec).toMatchObject({ restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', schedulerName: 'default-scheduler' });
    expect(d.status).toEqual({});
    expect(deployments.strategy.trackGeneration).toBe(true);
    const recreate = created(deployments, { ...spec, strategy: { type: 'Recreate' } });
    expect(recreate.spec.strategy).toEqual({ type: 'Recreate' });
  });
  it('an update keeps the stored status', () => {
    const old = created(deployments, spec, { replicas: 2 });
    const next = created(deployments, spec);
    deployments.strategy.prepareForUpdate!(next, old);
    expect(next.status).toEqual({ replicas: 2 });
  });
  it('rejects a selector that does not match the template, an empty selector, negative replicas, a changed selector', () => {
    const mismatch = created(deployments, { ...spec, template: { ...template, metadata: { labels: { app: 'other' } } } });
    expect(messages(deployments, mismatch)).toContain('spec.template.metadata.labels: Invalid value: {"app":"other"}: `selector` does not match template `labels`');
    expect(messages(deployments, created(deployments, { ...spec, selector: {} }))).toContain('spec.selector: Invalid value: {}: empty selector is invalid for deployment');
    expect(messages(deployments, created(deployments, { ...spec, selector: undefined }))).toContain('spec.selector: Required value');
    expect(messages(deployments, created(deployments, { ...spec, replicas: -1 }))).toContain('spec.replicas: Invalid value: -1: must be greater than or equal to 0');
    expect(messages(deployments, created(deployments, spec))).toEqual([]);
    const moved = created(deployments, { ...spec, selector: { matchLabels: { app: 'web', tier: 'x' } } });
    expect(deployments.strategy.validateUpdate!(moved, created(deployments, spec)).map((e) => `${e.field}: ${e.detailMessage()}`))
      .toEqual(['spec.selector: Invalid value: {"matchLabels":{"app":"web","tier":"x"}}: field is immutable']);
  });
  it('prints NAME READY UP-TO-DATE AVAILABLE AGE, then CONTAINERS IMAGES SELECTOR with -o wide', () => {
    const d = created(deployments, { ...spec, replicas: 3 }, { readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 });
    expect(header(deployments)).toEqual(['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers*', 'Images*', 'Selector*']);
    expect(cells(deployments, d)).toEqual(['web', '2/3', 3, 2, '60m', 'nginx,side', 'nginx:1.27,busybox', 'app=web']);
  });
});

describe('ReplicaSet, StatefulSet, DaemonSet, ControllerRevision', () => {
  const spec = { selector: { matchLabels: { app: 'web' } }, template };
  it('ReplicaSet: status.replicas 0 on create, DESIRED CURRENT READY', () => {
    const rs = created(replicasets, spec);
    expect(rs.status).toEqual({ replicas: 0 });
    expect(header(replicasets)).toEqual(['Name', 'Desired', 'Current', 'Ready', 'Age', 'Containers*', 'Images*', 'Selector*']);
    expect(cells(replicasets, rs)).toEqual(['web', 1, 0, 0, '60m', 'nginx,side', 'nginx:1.27,busybox', 'app=web']);
  });
  it('StatefulSet: defaults, forbidden spec updates, READY AGE CONTAINERS IMAGES', () => {
    const sts = created(statefulsets, { ...spec, serviceName: 'web' });
    expect(sts.spec).toMatchObject({
      replicas: 1, podManagementPolicy: 'OrderedReady', revisionHistoryLimit: 10,
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
    });
    expect(messages(statefulsets, sts)).toEqual([]);
    const renamed = created(statefulsets, { ...spec, serviceName: 'other' });
    expect(statefulsets.strategy.validateUpdate!(renamed, sts)[0].detailMessage()).toContain('updates to statefulset spec for fields other than');
    expect(statefulsets.strategy.validateUpdate!(created(statefulsets, { ...spec, serviceName: 'web', replicas: 5 }), sts)).toEqual([]);
    expect(header(statefulsets)).toEqual(['Name', 'Ready', 'Age', 'Containers*', 'Images*']);
    expect(cells(statefulsets, { ...sts, status: { readyReplicas: 1 } })).toEqual(['web', '1/1', '60m', 'nginx,side', 'nginx:1.27,busybox']);
  });
  it('DaemonSet: rolling update defaults, NODE SELECTOR sorted, counts', () => {
    const ds = created(daemonsets, { ...spec, template: { ...template, spec: { ...template.spec, nodeSelector: { zone: 'a', 'kubernetes.io/os': 'linux' } } } });
    expect(ds.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    expect(ds.spec.revisionHistoryLimit).toBe(10);
    expect(ds.status).toEqual({ currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 });
    expect(header(daemonsets)).toEqual(['Name', 'Desired', 'Current', 'Ready', 'Up-to-date', 'Available', 'Node Selector', 'Age', 'Containers*', 'Images*', 'Selector*']);
    expect(cells(daemonsets, ds).slice(0, 8)).toEqual(['web', 0, 0, 0, 0, 0, 'kubernetes.io/os=linux,zone=a', '60m']);
    expect(messages(daemonsets, created(daemonsets, { ...spec, selector: {} }))).toContain('spec.selector: Invalid value: {}: empty selector is invalid for daemonset');
  });
  it('ControllerRevision: CONTROLLER is kind.group/name', () => {
    const cr = { apiVersion: 'apps/v1', kind: 'ControllerRevision', revision: 3, metadata: { name: 'web-1', creationTimestamp: '2026-01-01T00:00:00Z', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', controller: true, uid: 'u' }] } } as unknown as KubeObject;
    expect(cells(controllerrevisions, cr)).toEqual(['web-1', 'statefulset.apps/web', 3, '60m']);
  });
});
