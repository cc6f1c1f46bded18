// Services and namespaces against real etcd with two API server instances: ClusterIPs and node ports
// are never handed out twice, dry runs and failed writes leave nothing taken, deleting a namespace
// empties it, and pods on a registered node stay Terminating for their grace period.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { api } from '../support/watch.js';

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startCluster(2, ['--service-cluster-ip-range=10.1.0.0/26', '--service-node-port-range=31000-31063']);
});
afterAll(async () => {
  await cluster?.stop();
});

const svc = (name: string, type = 'NodePort', extra: Record<string, unknown> = {}) => ({ metadata: { name }, spec: { type, selector: { app: name }, ports: [{ port: 80 }], ...extra } });
const post = (base: string, path: string, body: unknown) => fetch(base + path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

it('two instances on one etcd never hand out the same ClusterIP or node port', async () => {
  const [a, b] = cluster.apiservers;
  const made = await Promise.all(Array.from({ length: 30 }, (_, i) => api(i % 2 ? a.url : b.url, 'POST', '/api/v1/namespaces/default/services', svc(`s${i}`))));
  const ips = made.map((s) => s.spec.clusterIP);
  expect(new Set(ips).size).toBe(30);
  expect(new Set(made.map((s) => s.spec.ports[0].nodePort)).size).toBe(30);
  expect(made.every((s) => JSON.stringify(s.spec.clusterIPs) === JSON.stringify([s.spec.clusterIP]))).toBe(true);
  // The kubernetes service holds the first address, on both instances' view.
  expect((await api(b.url, 'GET', '/api/v1/namespaces/default/services/kubernetes')).spec).toMatchObject({ clusterIP: '10.1.0.1', ports: [{ name: 'https', port: 443, protocol: 'TCP' }] });
  expect(ips).not.toContain('10.1.0.1');
  for (let i = 0; i < 30; i++) await api(i % 2 ? b.url : a.url, 'DELETE', `/api/v1/namespaces/default/services/s${i}`);
});

it('a taken or out-of-range address is a 422 on spec.clusterIPs, and deleting frees it', async () => {
  const [a, b] = cluster.apiservers;
  const keeper = await api(a.url, 'POST', '/api/v1/namespaces/default/services', svc('keeper', 'ClusterIP'));
  const ip = keeper.spec.clusterIP;
  const taken = await post(b.url, '/api/v1/namespaces/default/services', svc('thief', 'ClusterIP', { clusterIP: ip }));
  expect(taken.status).toBe(422);
  expect((await taken.json()).message).toBe(`Service "thief" is invalid: spec.clusterIPs: Invalid value: ["${ip}"]: failed to allocate IP ${ip}: provided IP is already allocated`);
  const outside = await post(b.url, '/api/v1/namespaces/default/services', svc('far', 'ClusterIP', { clusterIP: '10.9.9.9' }));
  expect((await outside.json()).message).toMatch(/failed to allocate IP 10\.9\.9\.9: the provided IP \(10\.9\.9\.9\) is not in the valid range\. The range of valid IPs is 10\.1\.0\.0\/26$/);
  // A dry run with a taken address fails the same way, and a dry run of a free one takes nothing.
  expect((await post(a.url, '/api/v1/namespaces/default/services?dryRun=All', svc('dry', 'ClusterIP', { clusterIP: ip }))).status).toBe(422);
  const dry = await api(a.url, 'POST', '/api/v1/namespaces/default/services?dryRun=All', svc('dry', 'NodePort'));
  expect(dry.spec.clusterIP).toMatch(/^10\.1\.0\./);
  const real = await api(b.url, 'POST', '/api/v1/namespaces/default/services', svc('real', 'ClusterIP', { clusterIP: dry.spec.clusterIP }));
  expect(real.spec.clusterIP).toBe(dry.spec.clusterIP);
  await api(a.url, 'DELETE', '/api/v1/namespaces/default/services/keeper');
  const again = await api(b.url, 'POST', '/api/v1/namespaces/default/services', svc('thief', 'ClusterIP', { clusterIP: ip }));
  expect(again.spec.clusterIP).toBe(ip);
});

it('a type change releases what the old type held', async () => {
  const [a, b] = cluster.apiservers;
  const np = await api(a.url, 'POST', '/api/v1/namespaces/default/services', svc('np', 'NodePort'));
  const port = np.spec.ports[0].nodePort;
  const asClusterIP = await api(a.url, 'PUT', '/api/v1/namespaces/default/services/np', { ...np, spec: { ...np.spec, type: 'ClusterIP' } });
  expect(asClusterIP.spec.ports[0].nodePort).toBeUndefined();
  const reuse = await api(b.url, 'POST', '/api/v1/namespaces/default/services', svc('np2', 'NodePort', { ports: [{ port: 80, nodePort: port }] }));
  expect(reuse.spec.ports[0].nodePort).toBe(port);
  const ext = await api(b.url, 'PUT', '/api/v1/namespaces/default/services/np', { ...asClusterIP, spec: { ...asClusterIP.spec, type: 'ExternalName', externalName: 'example.com' } });
  expect(ext.spec.clusterIP).toBeUndefined();
  expect((await api(a.url, 'POST', '/api/v1/namespaces/default/services', svc('ip2', 'ClusterIP', { clusterIP: np.spec.clusterIP }))).spec.clusterIP).toBe(np.spec.clusterIP);
});

it('deleting a namespace deletes what is in it; system namespaces cannot be deleted', async () => {
  const base = cluster.url;
  await api(base, 'POST', '/api/v1/namespaces', { metadata: { name: 'doomed' } });
  const s = await api(base, 'POST', '/api/v1/namespaces/doomed/services', svc('web', 'ClusterIP'));
  await api(base, 'POST', '/api/v1/namespaces/doomed/configmaps', { metadata: { name: 'cm' } });
  await api(base, 'POST', '/api/v1/namespaces/doomed/pods', { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  await api(base, 'DELETE', '/api/v1/namespaces/doomed');
  expect((await fetch(`${base}/api/v1/namespaces/doomed`)).status).toBe(404);
  expect((await api(base, 'GET', '/api/v1/namespaces/doomed/configmaps')).items).toEqual([]);
  // The service's address went with it.
  expect((await api(base, 'POST', '/api/v1/namespaces/default/services', svc('heir', 'ClusterIP', { clusterIP: s.spec.clusterIP }))).spec.clusterIP).toBe(s.spec.clusterIP);
  const res = await fetch(`${base}/api/v1/namespaces/kube-system`, { method: 'DELETE' });
  expect(res.status).toBe(403);
  expect((await res.json()).message).toBe('namespaces "kube-system" is forbidden: this namespace may not be deleted');
});

it('a pod on a registered node is deleted gracefully; its namespace waits for it', async () => {
  const base = cluster.url;
  await api(base, 'POST', '/api/v1/nodes', { metadata: { name: 'node-a' } });
  await api(base, 'POST', '/api/v1/namespaces', { metadata: { name: 'held' } });
  const pod = (name: string, nodeName: string) => ({ metadata: { name }, spec: { nodeName, containers: [{ name: 'c', image: 'nginx' }] } });
  await api(base, 'POST', '/api/v1/namespaces/held/pods', pod('on-node', 'node-a'));
  await api(base, 'POST', '/api/v1/namespaces/held/pods', pod('on-ghost', 'no-such-node'));
  // No kubelet will ever serve a node that is not registered: that pod goes at once.
  await api(base, 'DELETE', '/api/v1/namespaces/held/pods/on-ghost');
  expect((await fetch(`${base}/api/v1/namespaces/held/pods/on-ghost`)).status).toBe(404);
  const before = Math.floor(Date.now() / 1000) * 1000;
  const res = await fetch(`${base}/api/v1/namespaces/held/pods/on-node`, { method: 'DELETE' });
  expect(res.status).toBe(202);
  const marked = await res.json();
  expect(marked.metadata.deletionGracePeriodSeconds).toBe(30);
  expect(Date.parse(marked.metadata.deletionTimestamp)).toBeGreaterThanOrEqual(before + 30_000);
  expect((await api(base, 'GET', '/api/v1/namespaces/held/pods/on-node')).metadata.deletionTimestamp).toBe(marked.metadata.deletionTimestamp);

  const nsDelete = await fetch(`${base}/api/v1/namespaces/held`, { method: 'DELETE' });
  expect(nsDelete.status).toBe(202);
  const ns = await api(base, 'GET', '/api/v1/namespaces/held');
  expect(ns.status.phase).toBe('Terminating');
  expect(ns.metadata.deletionTimestamp).toBeTruthy();
  expect(ns.status.conditions.find((c: any) => c.type === 'NamespaceContentRemaining').message).toBe('Some resources are remaining: pods. has 1 resource instances');
  const refused = await post(base, '/api/v1/namespaces/held/configmaps', { metadata: { name: 'late' } });
  expect(refused.status).toBe(403);

  // What the kubelet does when the containers are gone: delete with a zero grace period. Then the namespace goes.
  await api(base, 'DELETE', '/api/v1/namespaces/held/pods/on-node?gracePeriodSeconds=0');
  await eventually(async () => (await fetch(`${base}/api/v1/namespaces/held`)).status === 404, { timeoutMs: 10000, what: 'namespace held to go once its last pod went' });
  expect((await fetch(`${base}/api/v1/namespaces/held`)).status).toBe(404);
});
