// ResourceQuota and LimitRanger admission against real etcd and three API server instances: a
// quota holds exactly under parallel creates through every instance, refusals carry kube's texts,
// dry runs are checked but not charged, LimitRange defaults land in pods, and the plugin flags.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ApiServerProcess, repoRoot, startApiServer, startCluster, type TestCluster } from '../support/cluster.js';
import { api } from '../support/watch.js';

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startCluster(3);
});
afterAll(async () => {
  await cluster?.stop();
});

const pod = (name: string, resources?: unknown) => ({ metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx', ...(resources ? { resources } : {}) }] } });

/** A namespace with a quota whose status the quota controller would have written (none runs here). */
async function namespaceWithQuota(ns: string, hard: Record<string, string>, used: Record<string, string>, spec: Record<string, unknown> = {}): Promise<void> {
  await api(cluster.url, 'POST', '/api/v1/namespaces', { metadata: { name: ns } });
  const q = await api(cluster.url, 'POST', `/api/v1/namespaces/${ns}/resourcequotas`, { metadata: { name: 'q' }, spec: { hard, ...spec } });
  await api(cluster.url, 'PUT', `/api/v1/namespaces/${ns}/resourcequotas/q/status`, { ...q, status: { hard, used } });
  await seenEverywhere(ns);
}

/** A consistent read on every instance: each one's cache (what admission reads quotas from) has the quota's status by then. */
async function seenEverywhere(ns: string): Promise<void> {
  for (const a of cluster.apiservers) await api(a.url, 'GET', `/api/v1/namespaces/${ns}/resourcequotas/q`);
}

async function post(base: string, p: string, body: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(base + p, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

it('50 parallel creates through 3 instances against a quota of 10: exactly 10 pods, 40 kube Forbidden answers', async () => {
  await namespaceWithQuota('race', { pods: '10' }, { pods: '0' });
  const answers = await Promise.all(Array.from({ length: 50 }, (_, i) =>
    post(cluster.apiservers[i % 3].url, '/api/v1/namespaces/race/pods', pod(`p${i}`))));
  const created = answers.filter((a) => a.status === 201);
  const refused = answers.filter((a) => a.status === 403);
  expect(created).toHaveLength(10);
  expect(refused).toHaveLength(40);
  for (const r of refused) {
    expect(r.json.reason).toBe('Forbidden');
    expect(r.json.message).toBe(`pods "${r.json.details.name}" is forbidden: exceeded quota: q, requested: pods=1, used: pods=10, limited: pods=10`);
  }
  expect((await api(cluster.url, 'GET', '/api/v1/namespaces/race/pods')).items).toHaveLength(10);
  expect((await api(cluster.url, 'GET', '/api/v1/namespaces/race/resourcequotas/q')).status.used).toEqual({ pods: '10' });
});

it('charges requests and refuses what does not fit, or what does not state what the quota limits', async () => {
  await namespaceWithQuota('compute', { 'requests.cpu': '1', 'requests.memory': '1Gi' }, { 'requests.cpu': '0', 'requests.memory': '0' });
  expect((await post(cluster.url, '/api/v1/namespaces/compute/pods', pod('a', { requests: { cpu: '600m', memory: '512Mi' } }))).status).toBe(201);
  expect((await api(cluster.apiservers[1].url, 'GET', '/api/v1/namespaces/compute/resourcequotas/q')).status.used).toEqual({ 'requests.cpu': '600m', 'requests.memory': '512Mi' });
  const over = await post(cluster.apiservers[2].url, '/api/v1/namespaces/compute/pods', pod('b', { requests: { cpu: '600m', memory: '100Mi' } }));
  expect(over.status).toBe(403);
  expect(over.json.message).toBe('pods "b" is forbidden: exceeded quota: q, requested: requests.cpu=600m, used: requests.cpu=600m, limited: requests.cpu=1');
  const bare = await post(cluster.url, '/api/v1/namespaces/compute/pods', pod('c'));
  expect(bare.json.message).toBe('pods "c" is forbidden: failed quota: q: must specify requests.cpu for: c; requests.memory for: c');
});

it('a quota binds once its status names hard limits (kube matches status.hard), and refuses while their usage is unknown', async () => {
  // The quota controller has not run: no status.hard, nothing is limited yet.
  await api(cluster.url, 'POST', '/api/v1/namespaces', { metadata: { name: 'fresh' } });
  await api(cluster.url, 'POST', '/api/v1/namespaces/fresh/resourcequotas', { metadata: { name: 'q' }, spec: { hard: { 'count/configmaps': '5' } } });
  await api(cluster.url, 'POST', '/api/v1/namespaces/fresh/configmaps', { metadata: { name: 'first' } });
  // status.hard written, status.used not yet.
  await api(cluster.url, 'PUT', '/api/v1/namespaces/fresh/resourcequotas/q/status', {
    ...(await api(cluster.url, 'GET', '/api/v1/namespaces/fresh/resourcequotas/q')), status: { hard: { 'count/configmaps': '5' } } });
  await seenEverywhere('fresh');
  const res = await post(cluster.apiservers[1].url, '/api/v1/namespaces/fresh/configmaps', { metadata: { name: 'cm' } });
  expect(res.status).toBe(403);
  expect(res.json.message).toBe('configmaps "cm" is forbidden: status unknown for quota: q, resources: count/configmaps');
});

it('a dry run is checked but not charged', async () => {
  await namespaceWithQuota('dry', { services: '1', 'services.loadbalancers': '0' }, { services: '0', 'services.loadbalancers': '0' });
  const svc = (name: string, type = 'ClusterIP') => ({ metadata: { name }, spec: { type, ports: [{ port: 80 }] } });
  expect((await post(cluster.url, '/api/v1/namespaces/dry/services?dryRun=All', svc('s'))).status).toBe(201);
  expect((await api(cluster.url, 'GET', '/api/v1/namespaces/dry/resourcequotas/q')).status.used).toEqual({ services: '0', 'services.loadbalancers': '0' });
  const lb = await post(cluster.url, '/api/v1/namespaces/dry/services?dryRun=All', svc('lb', 'LoadBalancer'));
  expect(lb.json.message).toBe('services "lb" is forbidden: exceeded quota: q, requested: services.loadbalancers=1, used: services.loadbalancers=0, limited: services.loadbalancers=0');
  expect((await post(cluster.url, '/api/v1/namespaces/dry/services', svc('s'))).status).toBe(201);
  expect((await api(cluster.url, 'GET', '/api/v1/namespaces/dry/resourcequotas/q')).status.used).toEqual({ services: '1', 'services.loadbalancers': '0' });
});

it('a LimitRange\'s defaults land in a pod, and its max refuses', async () => {
  await api(cluster.url, 'POST', '/api/v1/namespaces', { metadata: { name: 'limited' } });
  await api(cluster.url, 'POST', '/api/v1/namespaces/limited/limitranges', { metadata: { name: 'lr' }, spec: { limits: [
    { type: 'Container', max: { cpu: '1' }, default: { cpu: '500m', memory: '256Mi' }, defaultRequest: { cpu: '100m' } }] } });
  const made = await api(cluster.apiservers[2].url, 'POST', '/api/v1/namespaces/limited/pods', pod('p'));
  expect(made.spec.containers[0].resources).toEqual({ limits: { cpu: '500m', memory: '256Mi' }, requests: { cpu: '100m', memory: '256Mi' } });
  expect(made.metadata.annotations['kubernetes.io/limit-ranger']).toBe('LimitRanger plugin set: cpu, memory request for container c; cpu, memory limit for container c');
  expect(made.status.qosClass).toBe('Burstable');
  const big = await post(cluster.url, '/api/v1/namespaces/limited/pods', pod('big', { limits: { cpu: '2' } }));
  expect(big.status).toBe(403);
  expect(big.json.message).toBe('pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2');
});

it('--disable-admission-plugins=ResourceQuota,LimitRanger takes them out of the chain', async () => {
  let loose: ApiServerProcess | undefined;
  try {
    loose = await startApiServer(cluster.etcd.url, ['--disable-admission-plugins=ResourceQuota,LimitRanger']);
    expect((await post(loose.url, '/api/v1/namespaces/race/pods', pod('extra'))).status).toBe(201);
    const p = await api(loose.url, 'POST', '/api/v1/namespaces/limited/pods', pod('plain'));
    expect(p.spec.containers[0].resources).toEqual({});
  } finally {
    await loose?.stop();
  }
});

it('an unknown admission plugin name refuses to start with kube\'s message', () => {
  const run = spawnSync(process.execPath, [path.join(repoRoot, 'dist/server/main.js'), '--enable-admission-plugins=NamespaceLifecycle,Foo'], { encoding: 'utf8', timeout: 20000 });
  expect(run.status).toBe(2);
  expect(run.stderr.trim()).toBe('enable-admission-plugins plugin "Foo" is unknown');
});
