// server/api/quantity.ts and server/quota/: kube's Quantity arithmetic and canonical printing, the
// evaluators' usage and scopes, and CheckRequest's refusals with kube's exact texts.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../server/api/object.js';
import { addQuantity, formatQuantity, parseQuantity } from '../../server/api/quantity.js';
import { checkRequest, QuotaRefusal, quotaState } from '../../server/quota/check-request.js';
import { evaluatorFor } from '../../server/quota/registry.js';
import { formatResourceList } from '../../server/quota/resource-list.js';

const canonical = (s: string) => formatQuantity(parseQuantity(s));

describe('Quantity', () => {
  it('prints kube\'s canonical form', () => {
    expect(canonical('1000m')).toBe('1');
    expect(canonical('1500m')).toBe('1500m');
    expect(canonical('0.1')).toBe('100m');
    expect(canonical('1.5Gi')).toBe('1536Mi');
    expect(canonical('1024')).toBe('1024');
    expect(canonical('1Ki')).toBe('1Ki');
    expect(canonical('512Ki')).toBe('512Ki');
    expect(canonical('100Mi')).toBe('100Mi');
    expect(canonical('1G')).toBe('1G');
    expect(canonical('1000k')).toBe('1M');
    expect(canonical('1e3')).toBe('1e3');
    expect(canonical('0')).toBe('0');
    expect(canonical('0.5Ki')).toBe('512');
    expect(canonical('1n')).toBe('1n');
    expect(canonical('0.0000000001')).toBe('1n');
  });

  it('adds in the first operand\'s format unless it is zero', () => {
    expect(formatQuantity(addQuantity(parseQuantity('1Gi'), parseQuantity('512Mi')))).toBe('1536Mi');
    expect(formatQuantity(addQuantity(parseQuantity('0'), parseQuantity('1Gi')))).toBe('1Gi');
    expect(formatQuantity(addQuantity(parseQuantity('100m'), parseQuantity('900m')))).toBe('1');
  });

  it('refuses what kube refuses', () => {
    expect(() => parseQuantity('1.2.3')).toThrow();
    expect(() => parseQuantity('abc')).toThrow();
    expect(() => parseQuantity('1Kb')).toThrow();
  });
});

const pod = (name: string, resources?: Record<string, unknown>, spec: Record<string, unknown> = {}): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns' }, spec: { containers: [{ name: 'c', image: 'x', resources }], ...spec } }) as KubeObject;
const quota = (name: string, hard: Record<string, string>, used?: Record<string, string>, spec: Record<string, unknown> = {}): KubeObject =>
  ({ metadata: { name, namespace: 'ns' }, spec: { hard, ...spec }, status: { hard, ...(used ? { used } : {}) } }) as KubeObject;
const create = (object: KubeObject) => ({ operation: 'CREATE', subresource: '', object });

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof QuotaRefusal) return e.message;
    throw e;
  }
  throw new Error('not refused');
}

describe('pod evaluator', () => {
  const pods = evaluatorFor('', 'pods')!;

  it('charges count, requests and limits (init containers as a peak, sidecars added, overhead added)', () => {
    const p = pod('p', { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } }, {
      initContainers: [{ name: 'i', image: 'x', resources: { requests: { cpu: '1' } } },
        { name: 's', image: 'x', restartPolicy: 'Always', resources: { requests: { cpu: '50m' } } }],
      overhead: { cpu: '10m' },
    });
    expect(formatResourceList(pods.usage(p))).toEqual({
      'count/pods': '1', pods: '1', cpu: '1010m', 'requests.cpu': '1010m', memory: '64Mi', 'requests.memory': '64Mi',
      'limits.cpu': '210m', 'limits.memory': '128Mi',
    });
  });

  it('charges a terminal pod its object count only', () => {
    const p = { ...pod('p', { requests: { cpu: '1' } }), status: { phase: 'Succeeded' } } as KubeObject;
    expect(formatResourceList(pods.usage(p))).toEqual({ 'count/pods': '1' });
  });

  it('knows the pod scopes', () => {
    const be = pod('be');
    const burst = pod('b', { requests: { cpu: '1' } }, { activeDeadlineSeconds: 5, priorityClassName: 'high' });
    const s = (scopeName: string, operator = 'Exists', values?: string[]) => ({ scopeName, operator, values });
    expect(pods.matchesScope(s('BestEffort'), be)).toBe(true);
    expect(pods.matchesScope(s('NotBestEffort'), be)).toBe(false);
    expect(pods.matchesScope(s('Terminating'), burst)).toBe(true);
    expect(pods.matchesScope(s('NotTerminating'), be)).toBe(true);
    expect(pods.matchesScope(s('PriorityClass', 'In', ['high']), burst)).toBe(true);
    expect(pods.matchesScope(s('PriorityClass', 'In', ['low']), burst)).toBe(false);
    expect(pods.matchesScope(s('PriorityClass', 'NotIn', ['low']), be)).toBe(true);
    expect(pods.matchesScope(s('PriorityClass'), be)).toBe(false);
    const cross = pod('x', undefined, { affinity: { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ topologyKey: 'k', namespaces: ['other'] }] } } });
    expect(pods.matchesScope(s('CrossNamespacePodAffinity'), cross)).toBe(true);
    expect(pods.matchesScope(s('CrossNamespacePodAffinity'), be)).toBe(false);
  });
});

describe('service and PVC evaluators, object counts', () => {
  it('counts load balancers and node ports', () => {
    const svc = { metadata: { name: 's' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }, { port: 443 }] } } as KubeObject;
    expect(formatResourceList(evaluatorFor('', 'services')!.usage(svc))).toEqual({
      'count/services': '1', services: '1', 'services.loadbalancers': '1', 'services.nodeports': '2',
    });
  });

  it('charges PVC storage, also per storage class', () => {
    const pvc = { metadata: { name: 'c' }, spec: { storageClassName: 'gold', resources: { requests: { storage: '1.5Gi' } } } } as KubeObject;
    expect(formatResourceList(evaluatorFor('', 'persistentvolumeclaims')!.usage(pvc))).toEqual({
      persistentvolumeclaims: '1', 'count/persistentvolumeclaims': '1', 'requests.storage': '1536Mi',
      'gold.storageclass.storage.k8s.io/persistentvolumeclaims': '1', 'gold.storageclass.storage.k8s.io/requests.storage': '1536Mi',
    });
  });

  it('counts any resource as count/<resource>.<group>, and a few core ones under their old names too', () => {
    expect(formatResourceList(evaluatorFor('apps', 'deployments')!.usage({ metadata: {} } as KubeObject))).toEqual({ 'count/deployments.apps': '1' });
    expect(formatResourceList(evaluatorFor('', 'configmaps')!.usage({ metadata: {} } as KubeObject))).toEqual({ 'count/configmaps': '1', configmaps: '1' });
    expect(evaluatorFor('', 'events')).toBeUndefined();
  });
});

describe('checkRequest', () => {
  const pods = evaluatorFor('', 'pods')!;

  it('charges a fitting pod into used', () => {
    const [q] = checkRequest([quotaState(quota('q', { pods: '2', 'requests.cpu': '1' }, { pods: '1', 'requests.cpu': '200m' }))],
      create(pod('p', { requests: { cpu: '300m' } })), pods);
    expect(formatResourceList(q.used)).toEqual({ pods: '2', 'requests.cpu': '500m' });
  });

  it('refuses over the limit with kube\'s text', () => {
    expect(refusal(() => checkRequest([quotaState(quota('q', { pods: '2' }, { pods: '2' }))], create(pod('p')), pods)))
      .toBe('exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2');
    expect(refusal(() => checkRequest([quotaState(quota('compute', { pods: '10', 'requests.cpu': '1', 'requests.memory': '1Gi' },
      { pods: '0', 'requests.cpu': '800m', 'requests.memory': '900Mi' }))], create(pod('p', { requests: { cpu: '300m', memory: '200Mi' } })), pods)))
      .toBe('exceeded quota: compute, requested: requests.cpu=300m,requests.memory=200Mi, used: requests.cpu=800m,requests.memory=900Mi, limited: requests.cpu=1,requests.memory=1Gi');
  });

  it('refuses while the quota\'s usage is not computed', () => {
    expect(refusal(() => checkRequest([quotaState(quota('q', { pods: '2', 'count/pods': '3', secrets: '1' }))], create(pod('p')), pods)))
      .toBe('status unknown for quota: q, resources: count/pods,pods');
  });

  it('refuses containers that do not state what the quota limits', () => {
    const p = { ...pod('p', { requests: { cpu: '1' } }) } as KubeObject;
    (p.spec as { containers: unknown[] }).containers.push({ name: 'b', image: 'x' });
    expect(refusal(() => checkRequest([quotaState(quota('q', { 'limits.cpu': '2', 'requests.memory': '1Gi' }, { 'limits.cpu': '0', 'requests.memory': '0' }))],
      create(p), pods))).toBe('failed quota: q: must specify limits.cpu for: b,c; requests.memory for: b,c');
  });

  it('applies a quota only to pods in its scopes', () => {
    const best = quota('be', { pods: '1' }, { pods: '1' }, { scopes: ['BestEffort'] });
    expect(checkRequest([quotaState(best)], create(pod('p', { requests: { cpu: '1' } })), pods)[0].used.pods.nano).toBe(1_000_000_000n);
    expect(() => checkRequest([quotaState(best)], create(pod('p')), pods)).toThrow(QuotaRefusal);
    const high = quota('hi', { pods: '1' }, { pods: '1' }, { scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] } });
    expect(() => checkRequest([quotaState(high)], create(pod('p')), pods)).not.toThrow();
    expect(() => checkRequest([quotaState(high)], create(pod('p', undefined, { priorityClassName: 'high' })), pods)).toThrow(QuotaRefusal);
  });

  it('charges an update only the difference (a service turned into a LoadBalancer)', () => {
    const services = evaluatorFor('', 'services')!;
    const old = { metadata: { name: 's', resourceVersion: '5' }, spec: { type: 'ClusterIP', ports: [{ port: 80 }] } } as KubeObject;
    const now = { metadata: { name: 's', resourceVersion: '5' }, spec: { type: 'LoadBalancer', ports: [{ port: 80 }] } } as KubeObject;
    const q = quotaState(quota('q', { services: '1', 'services.loadbalancers': '0' }, { services: '1', 'services.loadbalancers': '0' }));
    expect(refusal(() => checkRequest([q], { operation: 'UPDATE', subresource: '', object: now, oldObject: old }, services)))
      .toBe('exceeded quota: q, requested: services.loadbalancers=1, used: services.loadbalancers=0, limited: services.loadbalancers=0');
  });
});

describe('PVC VolumeAttributesClass scope', () => {
  const pvcs = evaluatorFor('', 'persistentvolumeclaims')!;
  const claim = (vac?: string) => ({ metadata: { name: 'c' }, spec: { storageClassName: '', volumeAttributesClassName: vac, resources: { requests: { storage: '1Gi' } } } }) as KubeObject;
  const gold = quota('gold', { persistentvolumeclaims: '1' }, { persistentvolumeclaims: '1' },
    { scopeSelector: { matchExpressions: [{ scopeName: 'VolumeAttributesClass', operator: 'In', values: ['gold'] }] } });

  it('binds only claims of that class', () => {
    expect(refusal(() => checkRequest([quotaState(gold)], create(claim('gold')), pvcs)))
      .toBe('exceeded quota: gold, requested: persistentvolumeclaims=1, used: persistentvolumeclaims=1, limited: persistentvolumeclaims=1');
    expect(() => checkRequest([quotaState(gold)], create(claim('silver')), pvcs)).not.toThrow();
    expect(() => checkRequest([quotaState(gold)], create(claim()), pvcs)).not.toThrow();
  });
});
