// networking, rbac, policy, scheduling, storage, discovery and apiextensions strategies: messages and `kubectl get` cells.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../server/api/object.js';
import { customresourcedefinitions } from '../../server/resources/apiextensions/customresourcedefinitions.js';
import { endpointslices } from '../../server/resources/discovery/endpointslices.js';
import { ingresses } from '../../server/resources/networking/ingresses.js';
import { networkpolicies } from '../../server/resources/networking/networkpolicies.js';
import { poddisruptionbudgets } from '../../server/resources/policy/poddisruptionbudgets.js';
import { clusterrolebindings } from '../../server/resources/rbac/clusterrolebindings.js';
import { rolebindings } from '../../server/resources/rbac/rolebindings.js';
import { roles } from '../../server/resources/rbac/roles.js';
import { priorityclasses } from '../../server/resources/scheduling/priorityclasses.js';
import { storageclasses } from '../../server/resources/storage/storageclasses.js';
import type { ResourceType } from '../../server/registry/types.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const now = Date.parse('2026-01-01T00:05:00Z');
function created(rt: ResourceType, body: Record<string, unknown>, name = 'x'): any {
  const o = { kind: rt.kind, metadata: { name, creationTimestamp: '2026-01-01T00:00:00Z' }, ...structuredClone(body) } as KubeObject;
  rt.strategy.prepareForCreate?.(o);
  rt.strategy.defaults?.(o);
  return o;
}
const messages = (rt: ResourceType, o: KubeObject) => (rt.strategy.validate?.(o) ?? []).map((e) => `${e.field}: ${e.detailMessage()}`);
const cells = (rt: ResourceType, o: KubeObject) => rt.strategy.table!.cells(o, now);

describe('networking.k8s.io', () => {
  const backend = { service: { name: 'svc', port: { number: 80 } } };
  it('Ingress: pathType required and checked, paths absolute, HOSTS and PORTS cells', () => {
    const ing = created(ingresses, { spec: { ingressClassName: 'nginx', tls: [{ hosts: ['a.com'] }], rules: ['a.com', 'b.com', 'c.com', 'd.com', 'e.com'].map((host) => ({ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend }] } })) } });
    expect(messages(ingresses, ing)).toEqual([]);
    expect(ing.status).toEqual({ loadBalancer: {} });
    expect(cells(ingresses, ing)).toEqual(['x', 'nginx', 'a.com,b.com,c.com + 2 more...', '', '80, 443', '5m']);
    const bad = created(ingresses, { spec: { rules: [{ http: { paths: [{ path: '/a', backend }, { path: 'rel', pathType: 'Exact', backend }, { path: '/a//b', pathType: 'Prefix', backend: {} }] } }] } });
    expect(messages(ingresses, bad)).toEqual([
      'spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified',
      'spec.rules[0].http.paths[1].path: Invalid value: "rel": must be an absolute path',
      'spec.rules[0].http.paths[2].path: Invalid value: "/a//b": must not contain \'//\'',
      'spec.rules[0].http.paths[2].backend: Invalid value: "": resource or service backend is required',
    ]);
    expect(cells(ingresses, created(ingresses, { spec: { defaultBackend: backend } }))[2]).toBe('*');
  });
  it('NetworkPolicy: policyTypes default from the rules; POD-SELECTOR', () => {
    const np = created(networkpolicies, { spec: { podSelector: { matchLabels: { app: 'db' } }, egress: [{ ports: [{ port: 53 }] }] } });
    expect(np.spec.policyTypes).toEqual(['Ingress', 'Egress']);
    expect(np.spec.egress[0].ports[0].protocol).toBe('TCP');
    expect(created(networkpolicies, { spec: { egress: [] } }).spec.policyTypes).toEqual(['Ingress']);
    expect(cells(networkpolicies, np)).toEqual(['x', 'app=db', '5m']);
  });
});

describe('rbac.authorization.k8s.io', () => {
  it('rules need verbs; bindings default apiGroups and print subjects with -o wide', () => {
    expect(messages(roles, created(roles, { rules: [{ apiGroups: [''], resources: ['pods'] }] }))).toEqual(['rules[0].verbs: Required value: verbs must contain at least one value']);
    expect(roles.strategy.table!.columns.map((c) => c.name)).toEqual(['Name', 'Created At']);
    const rb = created(rolebindings, { roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'User', name: 'alice' }, { kind: 'ServiceAccount', name: 'sa', namespace: 'ns' }, { kind: 'Group', name: 'devs' }] });
    expect(rb.roleRef.apiGroup).toBe('rbac.authorization.k8s.io');
    expect(rb.subjects[0].apiGroup).toBe('rbac.authorization.k8s.io');
    expect(messages(rolebindings, rb)).toEqual([]);
    expect(rolebindings.strategy.table!.columns.map((c) => `${c.name}${c.priority ? '*' : ''}`)).toEqual(['Name', 'Role', 'Age', 'Users*', 'Groups*', 'ServiceAccounts*']);
    expect(cells(rolebindings, rb)).toEqual(['x', 'Role/r', '5m', 'alice', 'devs', 'ns/sa']);
    const crb = created(clusterrolebindings, { roleRef: { kind: 'Role', name: 'r' }, subjects: [{ kind: 'ServiceAccount', name: 'sa' }] });
    expect(messages(clusterrolebindings, crb)).toEqual(['roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"', 'subjects[0].namespace: Required value']);
    expect(rolebindings.strategy.validateUpdate!(created(rolebindings, { roleRef: { kind: 'Role', name: 'other' } }), rb)[0].detailMessage()).toContain(': cannot change roleRef');
  });
});

describe('policy, scheduling, storage, discovery, apiextensions', () => {
  it('PodDisruptionBudget: one of min/max, MIN AVAILABLE MAX UNAVAILABLE ALLOWED DISRUPTIONS', () => {
    expect(messages(poddisruptionbudgets, created(poddisruptionbudgets, { spec: { minAvailable: 1, maxUnavailable: 1 } }))[0]).toContain('minAvailable and maxUnavailable cannot be both set');
    expect(cells(poddisruptionbudgets, created(poddisruptionbudgets, { spec: { minAvailable: '50%' } }))).toEqual(['x', '50%', 'N/A', 0, '5m']);
  });
  it('PriorityClass: user values are capped, value is immutable, PREEMPTIONPOLICY after AGE', () => {
    expect(messages(priorityclasses, created(priorityclasses, { value: 2_000_000_000 }))).toEqual(['value: Forbidden: maximum allowed value of a user defined priority is 1000000000']);
    const pc = created(priorityclasses, { value: 100 });
    expect(priorityclasses.strategy.validateUpdate!(created(priorityclasses, { value: 101 }), pc).map((e) => e.detailMessage())).toEqual(['Forbidden: may not be changed in an update.']);
    expect(priorityclasses.strategy.table!.columns.map((c) => `${c.name}${c.priority ? '*' : ''}`)).toEqual(['Name', 'Value', 'Global-Default', 'Age', 'PreemptionPolicy']);
    expect(cells(priorityclasses, pc)).toEqual(['x', 100, false, '5m', 'PreemptLowerPriority']);
  });
  it('StorageClass: defaults, the (default) marker, immutable provisioner', () => {
    const sc = created(storageclasses, { provisioner: 'p', metadata: { name: 'std', creationTimestamp: '2026-01-01T00:00:00Z', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } });
    expect(cells(storageclasses, sc)).toEqual(['std (default)', 'p', 'Delete', 'Immediate', false, '5m']);
    expect(storageclasses.strategy.validateUpdate!({ ...sc, provisioner: 'q' }, sc).map((e) => `${e.field}: ${e.detailMessage()}`)).toEqual(['provisioner: Forbidden: updates to provisioner are forbidden.']);
  });
  it('EndpointSlice: PORTS and ENDPOINTS list three, then how many more', () => {
    const es = created(endpointslices, { addressType: 'IPv4', ports: [{ port: 80 }, { name: 'x' }], endpoints: [{ addresses: ['10.0.0.1', '10.0.0.2'] }, { addresses: ['10.0.0.3', '10.0.0.4', '10.0.0.5'] }] });
    expect(cells(endpointslices, es)).toEqual(['x', 'IPv4', '80,x', '10.0.0.1,10.0.0.2,10.0.0.3 + 2 more...', '5m']);
  });
  it('CustomResourceDefinition: name is plural.group, one storage version, names requested in status until accepted', () => {
    const spec = { group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', kind: 'Widget' }, versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object' } } }] };
    const crd = created(customresourcedefinitions, { spec }, 'widgets.example.com');
    expect(messages(customresourcedefinitions, crd)).toEqual([]);
    expect(crd.spec.names).toMatchObject({ singular: 'widget', listKind: 'WidgetList' });
    // NamesAccepted and Established are decided in beforeCreate, against the group's other CRDs (test/e2e/crd-kubectl.test.ts).
    expect(crd.status.conditions).toEqual([]);
    expect(crd.status.acceptedNames.plural).toBe('widgets');
    const bad = created(customresourcedefinitions, { spec: { ...spec, versions: [{ ...spec.versions[0], storage: false }] } }, 'widgets');
    expect(messages(customresourcedefinitions, bad)).toEqual([
      'metadata.name: Invalid value: "widgets": must be spec.names.plural+"."+spec.group',
      'spec.versions: Invalid value: [{"name":"v1","served":true,"storage":false,"schema":{"openAPIV3Schema":{"type":"object"}}}]: must have exactly one version marked as storage version',
    ]);
  });
});
