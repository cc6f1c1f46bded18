// server/admission/limit-ranger.ts: LimitRange defaults into pod containers, and min / max /
// maxLimitRequestRatio for Container, Pod and PersistentVolumeClaim with kube's messages.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../server/api/object.js';
import { applyDefaults, validateLimits } from '../../server/admission/limit-ranger.js';
import { limitranges } from '../../server/resources/core/limitranges.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const lr = (limits: unknown[]) => ({ metadata: { name: 'lr' }, spec: { limits } }) as KubeObject;
const pod = (containers: unknown[]) => ({ metadata: { name: 'p' }, spec: { containers } }) as KubeObject;

describe('LimitRanger defaults', () => {
  it('fills in what a container lacks and says so in kube\'s annotation', () => {
    const p = pod([{ name: 'a', image: 'x' }, { name: 'b', image: 'x', resources: { limits: { cpu: '2' } } }]);
    applyDefaults(lr([{ type: 'Container', default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m', memory: '128Mi' } }]), p);
    const [a, b] = (p.spec as any).containers;
    expect(a.resources).toEqual({ limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '128Mi' } });
    // A stated limit is also the request (kube's decoding defaults it before admission), not the LimitRange's.
    expect(b.resources).toEqual({ limits: { cpu: '2', memory: '256Mi' }, requests: { cpu: '2', memory: '128Mi' } });
    expect(p.metadata.annotations!['kubernetes.io/limit-ranger']).toBe(
      'LimitRanger plugin set: cpu, memory request for container a; cpu, memory limit for container a; memory request for container b; memory limit for container b');
  });

  it('a LimitRange item defaults its default to max and its defaultRequest to default, then min', () => {
    const obj = lr([{ type: 'Container', max: { cpu: '1' }, min: { memory: '10Mi' } }, { type: 'Pod', max: { cpu: '2' } }]);
    limitranges.strategy.defaults!(obj);
    expect((obj.spec as any).limits).toEqual([
      { type: 'Container', max: { cpu: '1' }, min: { memory: '10Mi' }, default: { cpu: '1' }, defaultRequest: { cpu: '1', memory: '10Mi' } },
      { type: 'Pod', max: { cpu: '2' } },
    ]);
  });
});

describe('LimitRanger bounds', () => {
  it('min, max and ratio per container', () => {
    const range = lr([{ type: 'Container', min: { cpu: '100m' }, max: { memory: '1Gi' }, maxLimitRequestRatio: { cpu: '2' } }]);
    expect(validateLimits(range, 'pods', pod([{ name: 'c', resources: { requests: { cpu: '50m' }, limits: { cpu: '50m', memory: '512Mi' } } }])))
      .toBe('minimum cpu usage per Container is 100m, but request is 50m');
    expect(validateLimits(range, 'pods', pod([{ name: 'c', resources: { requests: { cpu: '200m' }, limits: { cpu: '200m', memory: '2Gi' } } }])))
      .toBe('maximum memory usage per Container is 1Gi, but limit is 2Gi');
    expect(validateLimits(range, 'pods', pod([{ name: 'c', resources: { requests: { cpu: '200m' }, limits: { cpu: '1', memory: '1Gi' } } }])))
      .toBe('cpu max limit to request ratio per Container is 2, but provided ratio is 5.000000');
    expect(validateLimits(range, 'pods', pod([{ name: 'c', resources: { requests: { cpu: '200m' } } }])))
      .toBe('[maximum memory usage per Container is 1Gi.  No limit is specified, cpu max limit to request ratio per Container is 2, but no limit is specified or limit is 0]');
    expect(validateLimits(range, 'pods', pod([{ name: 'c', resources: { requests: { cpu: '200m' }, limits: { cpu: '400m', memory: '1Gi' } } }]))).toBeUndefined();
  });

  it('per pod: the containers summed', () => {
    const range = lr([{ type: 'Pod', max: { cpu: '1' } }]);
    const two = pod([{ name: 'a', resources: { requests: { cpu: '600m' }, limits: { cpu: '600m' } } }, { name: 'b', resources: { requests: { cpu: '600m' }, limits: { cpu: '600m' } } }]);
    expect(validateLimits(range, 'pods', two)).toBe('maximum cpu usage per Pod is 1, but limit is 1200m');
  });

  it('per PVC: the storage request', () => {
    const range = lr([{ type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '5Gi' } }]);
    const pvc = (storage: string) => ({ metadata: { name: 'c' }, spec: { resources: { requests: { storage } } } }) as KubeObject;
    expect(validateLimits(range, 'persistentvolumeclaims', pvc('500Mi'))).toBe('minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi');
    expect(validateLimits(range, 'persistentvolumeclaims', pvc('10Gi'))).toBe('maximum storage usage per PersistentVolumeClaim is 5Gi, but request is 10Gi');
    expect(validateLimits(range, 'persistentvolumeclaims', pvc('2Gi'))).toBeUndefined();
  });
});
