// ClusterIPs as kube-apiserver 1.33+ records them, against real etcd: the default ServiceCIDR made from
// --service-cluster-ip-range, one IPAddress per allocated address naming its Service, gone with the
// Service and recorded again if deleted while the Service holds it; an IPAddress someone else holds
// keeps that address from Services; a dry run writes none.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { api } from '../support/watch.js';

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startCluster(1, ['--service-cluster-ip-range=10.2.0.0/26']);
});
afterAll(async () => {
  await cluster?.stop();
});

const IPS = '/apis/networking.k8s.io/v1/ipaddresses';
const SERVICES = '/api/v1/namespaces/default/services';
const managedBy = { 'ipaddress.kubernetes.io/ip-family': 'IPv4', 'ipaddress.kubernetes.io/managed-by': 'ipallocator.k8s.io' };
const svc = (name: string, spec: Record<string, unknown> = {}) => ({ metadata: { name }, spec: { ports: [{ port: 80 }], ...spec } });

it('the default ServiceCIDR is the service range, Ready; the kubernetes Service holds the first address as an IPAddress', async () => {
  await eventually(async () => (await api(cluster.url, 'GET', '/apis/networking.k8s.io/v1/servicecidrs/kubernetes')).status?.conditions?.length, { what: 'the default ServiceCIDR to be Ready' });
  const cidr = await api(cluster.url, 'GET', '/apis/networking.k8s.io/v1/servicecidrs/kubernetes');
  expect(cidr.spec).toEqual({ cidrs: ['10.2.0.0/26'] });
  expect(cidr.status.conditions).toMatchObject([{ type: 'Ready', status: 'True', reason: '', message: 'Kubernetes default Service CIDR is ready' }]);
  await eventually(async () => (await fetch(`${cluster.url}${IPS}/10.2.0.1`)).ok, { what: 'the kubernetes Service IPAddress' });
  const first = await api(cluster.url, 'GET', `${IPS}/10.2.0.1`);
  expect(first.metadata.labels).toEqual(managedBy);
  expect(first.spec).toEqual({ parentRef: { resource: 'services', namespace: 'default', name: 'kubernetes' } });
});

it('a Service gets an IPAddress named by its ClusterIP; deleting the Service deletes it', async () => {
  const web = await api(cluster.url, 'POST', SERVICES, svc('web'));
  const ip = web.spec.clusterIP;
  const recorded = await api(cluster.url, 'GET', `${IPS}/${ip}`);
  expect(recorded).toMatchObject({ apiVersion: 'networking.k8s.io/v1', kind: 'IPAddress', metadata: { name: ip, labels: managedBy }, spec: { parentRef: { resource: 'services', namespace: 'default', name: 'web' } } });
  expect(recorded.metadata.uid).toBeTruthy();
  expect((await api(cluster.url, 'GET', IPS)).items.map((o: { metadata: { name: string } }) => o.metadata.name)).toContain(ip);
  await api(cluster.url, 'DELETE', `${SERVICES}/web`);
  expect((await fetch(`${cluster.url}${IPS}/${ip}`)).status).toBe(404);
});

it('deleting the IPAddress of a Service that still holds the address records it again (kube repairs it)', async () => {
  const db = await api(cluster.url, 'POST', SERVICES, svc('db'));
  const ip = db.spec.clusterIP;
  const before = await api(cluster.url, 'GET', `${IPS}/${ip}`);
  await api(cluster.url, 'DELETE', `${IPS}/${ip}`);
  const after = await api(cluster.url, 'GET', `${IPS}/${ip}`);
  expect(after.metadata.uid).not.toBe(before.metadata.uid);
  expect(after.spec.parentRef).toEqual({ resource: 'services', namespace: 'default', name: 'db' });
  const twin = await fetch(cluster.url + SERVICES, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(svc('twin', { clusterIP: ip })) });
  expect(twin.status).toBe(422);
  await api(cluster.url, 'DELETE', `${SERVICES}/db`);
  expect((await fetch(`${cluster.url}${IPS}/${ip}`)).status).toBe(404);
});

it('an address held by an IPAddress of something else is refused to a Service until that IPAddress goes; a dry run records nothing', async () => {
  await api(cluster.url, 'POST', IPS, { metadata: { name: '10.2.0.40' }, spec: { parentRef: { group: 'gateway.networking.k8s.io', resource: 'gateways', namespace: 'default', name: 'g' } } });
  const taken = await fetch(cluster.url + SERVICES, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(svc('thief', { clusterIP: '10.2.0.40' })) });
  expect(taken.status).toBe(422);
  expect((await taken.json()).message).toBe('Service "thief" is invalid: spec.clusterIPs: Invalid value: ["10.2.0.40"]: failed to allocate IP 10.2.0.40: provided IP is already allocated');
  await api(cluster.url, 'DELETE', `${IPS}/10.2.0.40`);
  const dry = await api(cluster.url, 'POST', `${SERVICES}?dryRun=All`, svc('thief', { clusterIP: '10.2.0.40' }));
  expect(dry.spec.clusterIP).toBe('10.2.0.40');
  expect((await fetch(`${cluster.url}${IPS}/10.2.0.40`)).status).toBe(404);
  const thief = await api(cluster.url, 'POST', SERVICES, svc('thief', { clusterIP: '10.2.0.40' }));
  expect(thief.spec.clusterIP).toBe('10.2.0.40');
  expect((await api(cluster.url, 'GET', `${IPS}/10.2.0.40`)).spec.parentRef.name).toBe('thief');
});
