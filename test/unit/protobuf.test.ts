// Protobuf request bodies: built here with protobufjs from the same official generated.proto the
// server reads (fetched by `npm run build`), decoded to the JSON a JSON client would have sent.
import { describe, expect, it } from 'vitest';
import { decodeProtobuf, goDuration, protobufRoot } from '../../server/protobuf/decode.js';
import { protobufBody, protobufMagic } from '../support/protobuf.js';

const body = protobufBody;

describe('protobuf request bodies', () => {
  it('decodes a Namespace: absent fields stay absent', () => {
    const obj = decodeProtobuf(body('v1', 'Namespace', 'k8s.io.api.core.v1.Namespace', {
      metadata: { name: 'team-a', labels: { team: 'a' } },
      spec: {},
    }));
    expect(obj).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { team: 'a' } }, spec: {} });
  });

  it('decodes a ConfigMap: data as strings, binaryData as base64, a pointer false kept', () => {
    const obj = decodeProtobuf(body('v1', 'ConfigMap', 'k8s.io.api.core.v1.ConfigMap', {
      metadata: { name: 'c1', namespace: 'team-a', creationTimestamp: { seconds: 1767323045 } },
      data: { a: 'b', empty: '' },
      binaryData: { bin: Buffer.from([0, 1, 2, 255]) },
      immutable: false,
    }));
    expect(obj).toEqual({
      apiVersion: 'v1', kind: 'ConfigMap',
      metadata: { name: 'c1', namespace: 'team-a', creationTimestamp: '2026-01-02T03:04:05Z' },
      data: { a: 'b', empty: '' },
      binaryData: { bin: Buffer.from([0, 1, 2, 255]).toString('base64') },
      immutable: false,
    });
  });

  it('decodes a Secret with bytes data and stringData', () => {
    const obj = decodeProtobuf(body('v1', 'Secret', 'k8s.io.api.core.v1.Secret', {
      metadata: { name: 's1' }, data: { p: Buffer.from('q') }, stringData: { x: 'y' }, type: 'Opaque',
    }));
    expect(obj).toEqual({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's1' }, data: { p: 'cQ==' }, stringData: { x: 'y' }, type: 'Opaque' });
  });

  it('decodes a Deployment: IntOrString, Quantity, int64, inlined Go structs', () => {
    const obj = decodeProtobuf(body('apps/v1', 'Deployment', 'k8s.io.api.apps.v1.Deployment', {
      metadata: { name: 'web', generation: 3 },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: { type: 0, intVal: 1 }, maxUnavailable: { type: 1, strVal: '25%' } } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [{
              name: 'nginx', image: 'nginx:1.27', args: [],
              ports: [{ containerPort: 80, protocol: 'TCP' }],
              resources: { limits: { cpu: { string: '500m' }, memory: { string: '128Mi' } } },
              env: [{ name: 'P', valueFrom: { secretKeyRef: { localObjectReference: { name: 's1' }, key: 'p' } } }],
              readinessProbe: { handler: { httpGet: { path: '/', port: { type: 1, strVal: 'http' } } }, periodSeconds: 5 },
            }],
            volumes: [{ name: 'cfg', volumeSource: { configMap: { localObjectReference: { name: 'c1' }, defaultMode: 420 } } }],
            terminationGracePeriodSeconds: 30,
          },
        },
        progressDeadlineSeconds: 600,
      },
    }));
    expect(obj).toEqual({
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name: 'web', generation: 3 },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [{
              name: 'nginx', image: 'nginx:1.27',
              ports: [{ containerPort: 80, protocol: 'TCP' }],
              resources: { limits: { cpu: '500m', memory: '128Mi' } },
              env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 's1', key: 'p' } } }],
              readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 5 },
            }],
            volumes: [{ name: 'cfg', configMap: { name: 'c1', defaultMode: 420 } }],
            terminationGracePeriodSeconds: 30,
          },
        },
        progressDeadlineSeconds: 600,
      },
    });
  });

  it('uses the Go JSON names where protobuf spells them differently', () => {
    const obj = decodeProtobuf(body('networking.k8s.io/v1', 'IngressClass', 'k8s.io.api.networking.v1.IngressClass', {
      metadata: { name: 'nginx' },
      spec: { controller: 'k8s.io/ingress-nginx', parameters: { aPIGroup: 'k8s.example.com', kind: 'P', name: 'p' } },
    }));
    expect(obj.spec).toEqual({ controller: 'k8s.io/ingress-nginx', parameters: { apiGroup: 'k8s.example.com', kind: 'P', name: 'p' } });
  });

  it('decodes DeleteOptions sent under any group version', () => {
    const obj = decodeProtobuf(body('apps/v1', 'DeleteOptions', 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions', {
      gracePeriodSeconds: 0, propagationPolicy: 'Foreground', dryRun: ['All'],
    }));
    expect(obj).toEqual({ apiVersion: 'apps/v1', kind: 'DeleteOptions', gracePeriodSeconds: 0, propagationPolicy: 'Foreground', dryRun: ['All'] });
  });

  it('decodes MicroTime, Duration, RawExtension and managedFields', () => {
    const event = decodeProtobuf(body('events.k8s.io/v1', 'Event', 'k8s.io.api.events.v1.Event', {
      metadata: {
        name: 'e1',
        managedFields: [{ manager: 'kubectl', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { Raw: Buffer.from('{"f:data":{}}') } }],
      },
      eventTime: { seconds: 1767323045, nanos: 123456789 },
      reason: 'Started',
    }));
    expect(event).toMatchObject({
      metadata: { name: 'e1', managedFields: [{ manager: 'kubectl', operation: 'Update', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': {} } }] },
      eventTime: '2026-01-02T03:04:05.123456Z',
    });
    const revision = decodeProtobuf(body('apps/v1', 'ControllerRevision', 'k8s.io.api.apps.v1.ControllerRevision', {
      metadata: { name: 'r1' }, data: { raw: Buffer.from('{"spec":{"x":1}}') }, revision: 4,
    }));
    expect(revision).toEqual({ apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r1' }, data: { spec: { x: 1 } }, revision: 4 });
    expect([0, 999, 1500, 1_500_000, 1e9, 90e9, 3600e9, 3723.5e9, -2e9].map(goDuration))
      .toEqual(['0s', '999ns', '1.5µs', '1.5ms', '1s', '1m30s', '1h0m0s', '1h2m3.5s', '-2s']);
  });

  it('rejects bodies without the prefix or of an unknown kind with 400', () => {
    expect(() => decodeProtobuf(Buffer.from('{"kind":"Namespace"}'))).toThrow(expect.objectContaining({ code: 400 }));
    const unknown = protobufRoot().lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
    const bad = Buffer.concat([protobufMagic, unknown.encode(unknown.fromObject({ typeMeta: { apiVersion: 'v1', kind: 'Nope' }, raw: Buffer.alloc(0) })).finish()]);
    expect(() => decodeProtobuf(bad)).toThrow(/no kind "Nope" is registered for version "v1"/);
  });
});
