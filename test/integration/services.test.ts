// ClusterIP and NodePort allocation goes through etcd, so two API server instances never hand out
// the same address or port; dry runs and deletes leave nothing behind.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { api } from '../support/watch.js';

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startCluster(2, ['--service-cluster-ip-range=10.0.0.0/26', '--service-node-port-range=30000-30063']);
});
afterAll(async () => {
  await cluster?.stop();
});

const svc = (name: string, type = 'NodePort') => ({ metadata: { name }, spec: { type, selector: { app: name }, ports: [{ port: 80 }] } });

it('two instances never allocate the same ClusterIP or NodePort', async () => {
  const [a, b] = cluster.apiservers;
  const made = await Promise.all(Array.from({ length: 40 }, (_, i) => api(i % 2 ? a.url : b.url, 'POST', '/api/v1/namespaces/default/services', svc(`s${i}`))));
  const ips = made.map((s) => s.spec.clusterIP);
  const ports = made.map((s) => s.spec.ports[0].nodePort);
  expect(new Set(ips).size).toBe(40);
  expect(new Set(ports).size).toBe(40);
  for (const ip of ips) expect(ip).toMatch(/^10\.0\.0\.\d+$/);
  expect(ips).not.toContain('10.0.0.1');
  // The kubernetes service holds the first address of the range.
  expect((await api(a.url, 'GET', '/api/v1/namespaces/default/services/kubernetes')).spec.clusterIP).toBe('10.0.0.1');
});

it('a taken address is a field error, and deleting frees it', async () => {
  const s = await api(cluster.url, 'POST', '/api/v1/namespaces/default/services', svc('keeper', 'ClusterIP'));
  const res = await fetch(`${cluster.url}/api/v1/namespaces/default/services`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ metadata: { name: 'thief' }, spec: { clusterIP: s.spec.clusterIP, ports: [{ port: 80 }] } }),
  });
  expect(res.status).toBe(422);
  const status = await res.json();
  expect(status.message).toBe(`Service "thief" is invalid: spec.clusterIPs: Invalid value: ["${s.spec.clusterIP}"]: failed to allocate IP ${s.spec.clusterIP}: provided IP is already allocated`);
  await api(cluster.url, 'DELETE', '/api/v1/namespaces/default/services/keeper');
  const again = await api(cluster.url, 'POST', '/api/v1/namespaces/default/services', { metadata: { name: 'thief' }, spec: { clusterIP: s.spec.clusterIP, ports: [{ port: 80 }] } });
  expect(again.spec.clusterIP).toBe(s.spec.clusterIP);
});

it('a dry run allocates nothing', async () => {
  const dry = await api(cluster.url, 'POST', '/api/v1/namespaces/default/services?dryRun=All', svc('dry'));
  expect(dry.metadata.name).toBe('dry');
  expect((await fetch(`${cluster.url}/api/v1/namespaces/default/services/dry`)).status).toBe(404);
});
