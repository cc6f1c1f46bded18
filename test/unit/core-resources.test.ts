// core/v1 strategies: the defaults, validation messages and table cells kube-apiserver gives.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../server/api/object.js';
import type { ResourceType } from '../../server/registry/types.js';
import { endpoints } from '../../server/resources/core/endpoints.js';
import { events } from '../../server/resources/core/events.js';
import { namespaces } from '../../server/resources/core/namespaces.js';
import { terminatingConditions } from '../../server/resources/core/namespace-lifecycle.js';
import { podCells, pods } from '../../server/resources/core/pods.js';
import { persistentvolumeclaims } from '../../server/resources/core/persistentvolumeclaims.js';
import { secrets } from '../../server/resources/core/secrets.js';
import { services } from '../../server/resources/core/services.js';
import { eventsV1, fromCoreEvent, toCoreEvent } from '../../server/resources/events/events.js';
import { validateObjectMeta } from '../../server/validation/meta.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const now = Date.parse('2026-01-01T00:10:00Z');
const meta = { name: 'x', namespace: 'default', creationTimestamp: '2026-01-01T00:00:00Z' };

function prepared(rt: ResourceType, obj: Record<string, unknown>): any {
  const o = structuredClone({ metadata: { ...meta }, ...obj }) as KubeObject;
  rt.strategy.prepareForCreate?.(o);
  rt.strategy.defaults?.(o);
  return o;
}
const errorsOf = (rt: ResourceType, o: KubeObject) => (rt.strategy.validate?.(o) ?? []).map((e) => `${e.field}: ${e.detailMessage()}`);
const columns = (rt: ResourceType) => rt.strategy.table!.columns.map((c) => `${c.name}${c.priority ? '*' : ''}`);

describe('pods', () => {
  const pod = (spec: Record<string, unknown>) => prepared(pods, { spec });

  it('get every API default kube-apiserver sets (the service account is ServiceAccount admission\'s)', () => {
    const p = pod({ containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }], resources: { limits: { cpu: '1', memory: '1Gi' } } }, { name: 'side', image: 'busybox' }] });
    expect(p.spec).toMatchObject({
      restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', terminationGracePeriodSeconds: 30, schedulerName: 'default-scheduler',
      securityContext: {}, enableServiceLinks: true, priority: 0, preemptionPolicy: 'PreemptLowerPriority',
    });
    expect(p.spec.tolerations.map((t: any) => t.key)).toEqual(['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']);
    expect(p.spec.containers[0]).toMatchObject({
      imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
      ports: [{ containerPort: 80, protocol: 'TCP' }], resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } },
    });
    expect(p.spec.containers[1]).toMatchObject({ imagePullPolicy: 'Always', resources: {} });
    expect(p.status).toEqual({ phase: 'Pending', qosClass: 'Burstable' });
    expect(pod({ containers: [{ name: 'a', image: 'a', resources: { limits: { cpu: '1', memory: '1Gi' } } }] }).status.qosClass).toBe('Guaranteed');
    expect(pod({ containers: [{ name: 'a', image: 'a@sha256:abc' }] }).spec.containers[0].imagePullPolicy).toBe('IfNotPresent');
    expect(pod({ containers: [{ name: 'a', image: 'a:latest' }] }).spec.containers[0].imagePullPolicy).toBe('Always');
  });

  it('names what is wrong as kube-apiserver does', () => {
    const bad = pod({ restartPolicy: 'Sometimes', containers: [
      { name: 'web', image: 'nginx', env: [{ name: 'A=B', value: '1' }, { name: '1-ok.name', value: '2' }] },
      { name: 'web', image: '', ports: [{ containerPort: 0 }] },
    ] });
    expect(errorsOf(pods, bad)).toEqual([
      'spec.containers[0].env[0].name: Invalid value: "A=B": a valid environment variable name must consist only of printable ASCII characters other than \'=\'',
      'spec.containers[1].name: Duplicate value: "web"',
      'spec.containers[1].image: Required value',
      'spec.containers[1].ports[0].containerPort: Invalid value: 0: must be between 1 and 65535, inclusive',
      'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    ]);
    expect(errorsOf(pods, pod({}))).toEqual(['spec.containers: Required value']);
  });

  it('prints NAME READY STATUS RESTARTS AGE, and IP NODE NOMINATED NODE READINESS GATES wide', () => {
    expect(columns(pods)).toEqual(['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP*', 'Node*', 'Nominated Node*', 'Readiness Gates*']);
    const p = pod({ nodeName: 'n1', containers: [{ name: 'a', image: 'a' }, { name: 'b', image: 'b' }], readinessGates: [{ conditionType: 'x/ready' }] });
    expect(pods.strategy.table!.cells(p, now)).toEqual(['x', '0/2', 'Pending', '0', '10m', '<none>', 'n1', '<none>', '0/1']);
    p.status = {
      phase: 'Running', podIPs: [{ ip: '10.244.0.5' }], conditions: [{ type: 'x/ready', status: 'True' }],
      containerStatuses: [
        { name: 'a', ready: true, restartCount: 2, state: { running: {} }, lastState: { terminated: { finishedAt: '2026-01-01T00:05:00Z' } } },
        { name: 'b', ready: false, restartCount: 1, state: { waiting: { reason: 'CrashLoopBackOff' } } },
      ],
    };
    expect(pods.strategy.table!.cells(p, now)).toEqual(['x', '1/2', 'CrashLoopBackOff', '3 (5m ago)', '10m', '10.244.0.5', 'n1', '<none>', '1/1']);
    expect(podCells({ spec: { initContainers: [{ name: 'i' }], containers: [{ name: 'a' }] }, status: { phase: 'Pending', initContainerStatuses: [{ name: 'i', state: { waiting: {} } }] } }, now)[1]).toBe('Init:0/1');
    expect(podCells({ metadata: { deletionTimestamp: 'x' }, status: { phase: 'Running' } }, now)[1]).toBe('Terminating');
    expect(podCells({ metadata: { deletionTimestamp: 'x' }, status: { phase: 'Succeeded' } }, now)[1]).toBe('Succeeded');
  });

  it('offers kube-apiserver field selectors', () => {
    const p = pod({ nodeName: 'n1', containers: [{ name: 'a', image: 'a' }] });
    const f = pods.strategy.selectableFields!;
    expect(Object.keys(f).sort()).toEqual(['spec.hostNetwork', 'spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'status.nominatedNodeName', 'status.phase', 'status.podIP']);
    expect([f['spec.nodeName'](p), f['status.phase'](p), f['spec.hostNetwork'](p)]).toEqual(['n1', 'Pending', 'false']);
  });
});

describe('services', () => {
  const svc = (spec: Record<string, unknown>) => prepared(services, { spec });

  it('get kube-apiserver defaults per type', () => {
    const s = svc({ selector: { app: 'web' }, ports: [{ port: 80 }] });
    expect(s.spec).toEqual({
      type: 'ClusterIP', sessionAffinity: 'None', selector: { app: 'web' }, ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }],
      internalTrafficPolicy: 'Cluster', ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack',
    });
    expect(s.status).toEqual({ loadBalancer: {} });
    expect(svc({ type: 'LoadBalancer', ports: [{ port: 80 }] }).spec).toMatchObject({ externalTrafficPolicy: 'Cluster', allocateLoadBalancerNodePorts: true });
    expect(svc({ clusterIP: 'None' }).spec).toMatchObject({ clusterIPs: ['None'], ipFamilyPolicy: 'RequireDualStack' });
    expect(svc({ type: 'ExternalName', externalName: 'example.com' }).spec).toEqual({ type: 'ExternalName', externalName: 'example.com', sessionAffinity: 'None' });
    expect(svc({ sessionAffinity: 'ClientIP', ports: [{ port: 1 }] }).spec.sessionAffinityConfig).toEqual({ clientIP: { timeoutSeconds: 10800 } });
  });

  it('validate ports, types and names as kube-apiserver does', () => {
    expect(errorsOf(services, svc({}))).toEqual(['spec.ports: Required value']);
    expect(errorsOf(services, svc({ type: 'ExternalName' }))).toEqual(['spec.externalName: Required value']);
    expect(errorsOf(services, svc({ type: 'Magic', ports: [{ port: 80, nodePort: 30000 }, { name: 'b', port: 0 }] }))).toEqual([
      'spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"',
      'spec.ports[0].name: Required value',
      'spec.ports[0].nodePort: Forbidden: may not be used when `type` is \'Magic\'',
      'spec.ports[1].port: Invalid value: 0: must be between 1 and 65535, inclusive',
      'spec.ports[1].targetPort: Invalid value: 0: must be between 1 and 65535, inclusive',
    ]);
    // Service names are DNS-1035 labels: no leading digit.
    const named = svc({ ports: [{ port: 80 }] });
    named.metadata.name = '1svc';
    expect(validateObjectMeta(services, named).map((e) => e.detailMessage())[0]).toContain('a DNS-1035 label must consist of lower case alphanumeric characters');
    const old = svc({ ports: [{ port: 80 }], clusterIP: '10.0.0.7' });
    expect(services.strategy.validateUpdate!(svc({ ports: [{ port: 80 }], clusterIP: '10.0.0.8' }), old).map((e) => `${e.field}: ${e.detailMessage()}`))
      .toEqual(['spec.clusterIPs[0]: Invalid value: "10.0.0.8": may not change once set']);
  });

  it('keep allocated values on update and drop what a type change leaves behind', () => {
    const old = svc({ type: 'NodePort', clusterIP: '10.0.0.7', ports: [{ port: 80, nodePort: 30080 }] });
    const next = { metadata: { ...meta }, spec: { type: 'NodePort', ports: [{ port: 80 }] } } as any;
    services.strategy.prepareForUpdate!(next, old);
    expect(next.spec).toMatchObject({ clusterIP: '10.0.0.7', clusterIPs: ['10.0.0.7'], ports: [{ port: 80, nodePort: 30080 }] });
    const toClusterIP = structuredClone(old);
    toClusterIP.spec.type = 'ClusterIP';
    services.strategy.prepareForUpdate!(toClusterIP, old);
    expect(toClusterIP.spec.ports[0].nodePort).toBeUndefined();
    expect(toClusterIP.spec.externalTrafficPolicy).toBeUndefined();
    const toExternal = structuredClone(old);
    Object.assign(toExternal.spec, { type: 'ExternalName', externalName: 'example.com' });
    services.strategy.prepareForUpdate!(toExternal, old);
    expect(toExternal.spec.clusterIP).toBeUndefined();
  });

  it('print NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE and SELECTOR wide', () => {
    expect(columns(services)).toEqual(['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age', 'Selector*']);
    const s = svc({ type: 'LoadBalancer', selector: { b: '2', a: '1' }, clusterIP: '10.0.0.9', ports: [{ name: 'http', port: 80, nodePort: 30080 }, { name: 'dns', port: 53, protocol: 'UDP' }] });
    expect(services.strategy.table!.cells(s, now)).toEqual(['x', 'LoadBalancer', '10.0.0.9', '<pending>', '80:30080/TCP,53/UDP', '10m', 'a=1,b=2']);
    s.status.loadBalancer.ingress = [{ ip: '203.0.113.9' }];
    expect(services.strategy.table!.cells(s, now)[3]).toBe('203.0.113.9');
    expect(services.strategy.table!.cells(svc({ type: 'ExternalName', externalName: 'db.example.com' }), now).slice(1, 5)).toEqual(['ExternalName', '<none>', 'db.example.com', '<none>']);
  });
});

describe('other core resources', () => {
  it('secrets: Opaque by default, stringData merged, bad base64 is a decoding error', () => {
    const s = prepared(secrets, { stringData: { password: 'hunter2' } });
    expect(s).toMatchObject({ type: 'Opaque', data: { password: Buffer.from('hunter2').toString('base64') } });
    expect(s.stringData).toBeUndefined();
    expect(() => prepared(secrets, { data: { a: 'not base64!' } })).toThrow('Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3');
    expect(errorsOf(secrets, prepared(secrets, { data: { 'bad key': 'YQ==' } }))[0]).toMatch(/^data\[bad key\]: Invalid value: "bad key": a valid config key/);
    expect(columns(secrets)).toEqual(['Name', 'Type', 'Data', 'Age']);
  });

  it('endpoints: at most three ip:port pairs', () => {
    const subsets = [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }, { port: 443 }] }];
    expect(endpoints.strategy.table!.cells({ metadata: meta, subsets } as any, now)).toEqual(['x', '10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 1 more...', '10m']);
  });

  it('persistent volume claims show capacity once bound', () => {
    const c = prepared(persistentvolumeclaims, { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
    expect(c.spec.volumeMode).toBe('Filesystem');
    expect(c.status).toEqual({ phase: 'Pending' });
    expect(persistentvolumeclaims.strategy.table!.cells(c, now)).toEqual(['x', 'Pending', '', '', '', '', '<unset>', '10m', 'Filesystem']);
  });

  it('namespaces: Active with the kubernetes finalizer; a stuck deletion says what remains', () => {
    const ns = prepared(namespaces, {});
    expect(ns).toMatchObject({ spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' }, metadata: { labels: { 'kubernetes.io/metadata.name': 'x' } } });
    const conds = terminatingConditions({ resources: new Map([['pods.', 2]]), finalizers: new Map([['example.com/hold', 1]]) });
    expect(conds.map((c) => `${c.type}=${c.status}: ${c.message}`).slice(3)).toEqual([
      'NamespaceContentRemaining=True: Some resources are remaining: pods. has 2 resource instances',
      'NamespaceFinalizersRemaining=True: Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances',
    ]);
  });
});

describe('events', () => {
  const core = {
    apiVersion: 'v1', kind: 'Event', metadata: { ...meta, name: 'x.1' },
    involvedObject: { kind: 'Pod', name: 'web', namespace: 'default' }, reason: 'Pulled', message: 'Pulled image ', type: 'Normal',
    source: { component: 'kubelet', host: 'n1' }, firstTimestamp: '2026-01-01T00:01:00Z', lastTimestamp: '2026-01-01T00:08:00Z', count: 3,
  } as any;

  it('core/v1 prints kube\'s event table', () => {
    expect(columns(events)).toEqual(['Last Seen', 'Type', 'Reason', 'Object', 'Subobject*', 'Source*', 'Message', 'First Seen*', 'Count*', 'Name*']);
    expect(events.strategy.table!.cells(core, now)).toEqual(['2m', 'Normal', 'Pulled', 'pod/web', '', 'kubelet, n1', 'Pulled image', '9m', 3, 'x.1']);
    expect(errorsOf(events, { ...core, involvedObject: { kind: 'Pod', name: 'web', namespace: 'other' } })).toEqual(['involvedObject.namespace: Invalid value: "other": does not match event.namespace']);
  });

  it('events.k8s.io/v1 is the same object under its own names, validated strictly', () => {
    const v1 = fromCoreEvent(core) as any;
    expect(v1).toMatchObject({ regarding: core.involvedObject, note: 'Pulled image ', deprecatedSource: core.source, deprecatedCount: 3, deprecatedFirstTimestamp: core.firstTimestamp });
    expect(v1.involvedObject).toBeUndefined();
    expect(toCoreEvent(v1)).toEqual(core);
    expect(eventsV1.strategy.table!.cells(v1, now)).toEqual(events.strategy.table!.cells(core, now));
    expect(errorsOf(eventsV1, v1)).toEqual([
      'eventTime: Required value',
      'deprecatedFirstTimestamp: Invalid value: "": needs to be unset',
      'deprecatedLastTimestamp: Invalid value: "": needs to be unset',
      'deprecatedCount: Invalid value: "": needs to be unset',
      'deprecatedSource: Invalid value: "": needs to be unset',
    ]);
    const fresh = { metadata: { ...meta }, regarding: { kind: 'Pod', name: 'web', namespace: 'default' }, eventTime: '2026-01-01T00:09:00.000000Z', type: 'Normal', reason: 'Started', action: 'Start', reportingController: 'example.com/ctl', reportingInstance: 'ctl-1' } as any;
    expect(errorsOf(eventsV1, fresh)).toEqual([]);
    expect(errorsOf(eventsV1, { ...fresh, reportingController: undefined, note: 'x'.repeat(1025) })).toEqual([
      'reportingController: Required value', 'note: Invalid value: "": can have at most 1024 characters',
    ]);
    expect(eventsV1.strategy.selectableFields!['regarding.name'](fresh)).toBe('web');
  });
});
