// /metrics on real servers behind the real LB: after a few requests, kube's metric names with kube's
// labels and the exact counts (summed over both instances, wherever the LB sent each request); the
// etcd, authentication and object-count figures; RBAC on the non-resource URL (403 without `get` on
// /metrics, 200 once a ClusterRole grants it); and the LB's per-backend figures at /lb/metrics.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ApiServerProcess, type Etcd, startApiServer, startEtcd } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { type LbProcess, startLb } from '../support/lb.js';

let dir: string;
let etcd: Etcd;
const servers: ApiServerProcess[] = [];
let lb: LbProcess;
const admin = { Authorization: 'Bearer admin-token' };
const jane = { Authorization: 'Bearer jane-token' };
const cm = '/api/v1/namespaces/default/configmaps';

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kats-metrics-'));
  const tokens = path.join(dir, 'tokens.csv');
  writeFileSync(tokens, 'admin-token,admin,1,"system:masters"\njane-token,jane,2\n');
  etcd = await startEtcd(dir);
  servers.push(...await Promise.all([0, 1].map(() => startApiServer(etcd.url, [`--token-auth-file=${tokens}`, '--authorization-mode=RBAC']))));
  lb = await startLb(servers.map((s) => s.url));
}, 120000);

afterAll(async () => {
  await lb?.stop();
  await Promise.all(servers.map((s) => s.stop()));
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Sample { name: string; labels: Record<string, string>; value: number }

function parse(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2];
    out.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return out;
}

/** The sum over samples of `name` whose labels include `want` (exactly these values). */
function total(samples: Sample[], name: string, want: Record<string, string>): number {
  return samples.filter((s) => s.name === name && Object.entries(want).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0);
}

async function scrapeAll(): Promise<Sample[]> {
  const texts = await Promise.all(servers.map(async (s) => {
    const res = await fetch(`${s.url}/metrics`, { headers: admin });
    expect(res.status).toBe(200);
    return res.text();
  }));
  return texts.flatMap(parse);
}

const configmaps = { group: '', version: 'v1', resource: 'configmaps', subresource: '', component: 'apiserver', dry_run: '' };

it('counts the requests just made with kube\'s names and labels, on whichever instance served them', async () => {
  // The servers write some objects of their own (post-start hooks): etcd figures are compared with these.
  const before = await scrapeAll();
  const via = (p: string, init: RequestInit = {}) => fetch(`${lb.url}${p}`, { ...init, headers: { ...admin, ...init.headers as Record<string, string> } });
  const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'm1' }, data: { a: 'b' } });
  expect((await via(cm, { method: 'POST', body, headers: { 'content-type': 'application/json' } })).status).toBe(201);
  expect((await via(`${cm}?dryRun=All`, { method: 'POST', body: body.replace('m1', 'm2'), headers: { 'content-type': 'application/json' } })).status).toBe(201);
  expect((await via(`${cm}/m1`)).status).toBe(200);
  expect((await via(`${cm}/m1`)).status).toBe(200);
  expect((await via(`${cm}/missing`)).status).toBe(404);
  expect((await via(cm)).status).toBe(200);
  expect((await via('/api/v1/configmaps')).status).toBe(200);
  const apply = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'm3' } });
  expect((await via(`${cm}/m3?fieldManager=test`, { method: 'PATCH', body: apply, headers: { 'content-type': 'application/apply-patch+yaml' } })).status).toBe(201);
  const watch = await via(`${cm}?watch=1&timeoutSeconds=1`);
  expect(watch.status).toBe(200);
  await watch.text(); // the watch ends after its timeout: only then is it counted, as kube counts it

  // The watch's count lands when its stream ends on the instance: wait for it, then everything else is there too.
  let samples: Sample[] = [];
  await eventually(async () => {
    samples = await scrapeAll();
    return total(samples, 'apiserver_request_total', { ...configmaps, verb: 'WATCH', scope: 'namespace', code: '200' }) === 1;
  }, { what: 'the WATCH counted' });
  const count = (verb: string, scope: string, code: string, extra: Record<string, string> = {}) =>
    total(samples, 'apiserver_request_total', { ...configmaps, verb, scope, code, ...extra });
  expect(count('POST', 'resource', '201')).toBe(1);
  expect(count('POST', 'resource', '201', { dry_run: 'All' })).toBe(1);
  expect(count('GET', 'resource', '200')).toBe(2);
  expect(count('GET', 'resource', '404')).toBe(1);
  expect(count('LIST', 'namespace', '200')).toBe(1);
  expect(count('LIST', 'cluster', '200')).toBe(1);
  expect(count('APPLY', 'resource', '201')).toBe(1);
  expect(total(samples, 'apiserver_request_duration_seconds_count', { ...configmaps, verb: 'GET', scope: 'resource' })).toBe(3);
  expect(total(samples, 'apiserver_request_duration_seconds_bucket', { ...configmaps, verb: 'GET', scope: 'resource', le: '60' })).toBe(3);
  // Sizes for reads only (GET, LIST), without the dry_run label.
  expect(total(samples, 'apiserver_response_sizes_count', { verb: 'LIST', resource: 'configmaps' })).toBe(2);
  expect(total(samples, 'apiserver_response_sizes_count', { verb: 'POST' })).toBe(0);
  expect(total(samples, 'apiserver_longrunning_requests', { verb: 'WATCH', resource: 'configmaps' })).toBe(0);
  // The health roots the LB probes, as kube labels them (component "").
  expect(total(samples, 'apiserver_request_total', { verb: 'GET', subresource: '/readyz', component: '', code: '200' })).toBeGreaterThan(0);
  // etcd: m1 and the applied m3 were created there (the dry run was not), labelled by group and resource.
  const etcdCreates = (of: Sample[], name: string) => total(of, name, { operation: 'create', group: '', resource: 'configmaps' });
  expect(etcdCreates(samples, 'etcd_request_duration_seconds_count') - etcdCreates(before, 'etcd_request_duration_seconds_count')).toBe(2);
  expect(etcdCreates(samples, 'etcd_requests_total') - etcdCreates(before, 'etcd_requests_total')).toBe(2);
  expect(total(samples, 'authentication_attempts', { result: 'success' })).toBeGreaterThanOrEqual(10);
  expect(total(samples, 'authorization_attempts_total', { result: 'allowed' })).toBeGreaterThanOrEqual(10);
  for (const name of ['apiserver_current_inflight_requests', 'apiserver_watch_events_total', 'process_cpu_seconds_total', 'kube_apiserver_ts_watch_feed_mode']) {
    expect(samples.some((s) => s.name === name), name).toBe(true);
  }
  expect(total(samples, 'apiserver_watch_events_sizes_count', { group: '', version: 'v1', resource: 'configmaps' }))
    .toBe(total(samples, 'apiserver_watch_events_total', { group: '', version: 'v1', resource: 'configmaps' }));
  // Object counts, from each instance's watch cache: m1 and m3 more on both.
  const objects = (of: Sample[]) => total(of, 'apiserver_resource_objects', { group: '', resource: 'configmaps' });
  let after: Sample[] = [];
  await eventually(async () => objects(after = await scrapeAll()) - objects(before) === 4, { what: 'two more configmaps counted on each instance' });
  expect(total(after, 'apiserver_storage_objects', { resource: 'configmaps' })).toBe(objects(after));
});

it('follows RBAC as kube does: 403 for a user without get on /metrics, 200 once a ClusterRole grants it', async () => {
  const direct = servers[0].url;
  const refused = await fetch(`${direct}/metrics`, { headers: jane });
  expect(refused.status).toBe(403);
  expect((await refused.json()).message).toBe('forbidden: User "jane" cannot get path "/metrics"');
  expect((await fetch(`${direct}/metrics`)).status).toBe(403); // anonymous: system:anonymous has no rule for it either

  const post = (p: string, obj: unknown) => fetch(`${lb.url}${p}`, { method: 'POST', body: JSON.stringify(obj), headers: { ...admin, 'content-type': 'application/json' } });
  expect((await post('/apis/rbac.authorization.k8s.io/v1/clusterroles', {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'metrics-reader' }, rules: [{ nonResourceURLs: ['/metrics'], verbs: ['get'] }],
  })).status).toBe(201);
  expect((await post('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'jane-reads-metrics' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'metrics-reader' }, subjects: [{ kind: 'User', name: 'jane', apiGroup: 'rbac.authorization.k8s.io' }],
  })).status).toBe(201);
  for (const s of servers) {
    await eventually(async () => (await fetch(`${s.url}/metrics`, { headers: jane })).status === 200, { what: 'jane allowed once bound' });
  }
  expect(parse(await (await fetch(`${direct}/metrics`, { headers: jane })).text()).some((s) => s.name === 'apiserver_request_total')).toBe(true);
});

it('serves the LB\'s per-backend figures at /lb/metrics, on the stats listener only to local readers', async () => {
  // The client listener: no client certificate here, so no identity: 401, as for /lb/stats.
  expect((await fetch(`${lb.url}/lb/metrics`)).status).toBe(401);
  const text = await lb.metrics();
  const samples = parse(text);
  const backends = servers.map((s) => new URL(s.url).host);
  for (const b of backends) {
    expect(total(samples, 'lb_backend_up', { backend: b })).toBe(1);
    expect(samples.some((s) => s.name === 'lb_request_duration_seconds_count' && s.labels.backend === b)).toBe(true);
  }
  // Every 201 so far came back through the LB: the create, the dry run, the apply, the ClusterRole and its binding.
  expect(backends.reduce((a, b) => a + total(samples, 'lb_requests_total', { backend: b, code: '201' }), 0)).toBe(5);
  expect(backends.reduce((a, b) => a + total(samples, 'lb_requests_total', { backend: b, code: '404' }), 0)).toBe(1);
  for (const name of ['lb_open_watches', 'lb_watches_resumed_total', 'lb_watches_moved_total', 'lb_backend_ejections_total', 'process_cpu_seconds_total']) {
    expect(samples.some((s) => s.name === name), name).toBe(true);
  }
});
