// API Priority and Fairness on a real server: kube's bootstrap configuration is created at start; a
// small priority level of our own takes one user's flood, whose requests are held in flight by stopping
// etcd (SIGSTOP): past the level's seats they get kube's 429 with Retry-After (Reject: at once; Queue:
// when the queue is full, or when the wait runs out), while another user's requests, classified into
// global-default, are all served; the PF headers name the schema and level by UID, and the
// apiserver_flowcontrol_* metrics count it all.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ApiServerProcess, type Etcd, startApiServer, startEtcd } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';

let dir: string;
let etcd: Etcd;
let server: ApiServerProcess;
const admin = { Authorization: 'Bearer admin-token' };
const flooder = { Authorization: 'Bearer flooder-token' };
const queuer = { Authorization: 'Bearer queuer-token' };
const calm = { Authorization: 'Bearer calm-token' };
const fc = '/apis/flowcontrol.apiserver.k8s.io/v1';
const cm = '/api/v1/namespaces/default/configmaps';

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kats-apf-'));
  const tokens = path.join(dir, 'tokens.csv');
  writeFileSync(tokens, 'admin-token,admin,1,"system:masters"\nflooder-token,flooder,2\nqueuer-token,queuer,3\ncalm-token,calm,4\n');
  etcd = await startEtcd(dir);
  // kube's defaults (600 seats in all); etcd's and the request's own timeouts far away, so only etcd's return lets a held request go.
  server = await startApiServer(etcd.url, ['--etcd-request-timeout=120s', '--request-timeout=120s', `--token-auth-file=${tokens}`]);
}, 90000);

afterAll(async () => {
  if (etcd) process.kill(etcd.process.pid!, 'SIGCONT');
  await server?.stop();
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function create(resource: string, body: object): Promise<{ metadata: { uid: string } }> {
  const res = await fetch(`${server.url}${fc}/${resource}`, { method: 'POST', headers: { ...admin, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status, await res.clone().text()).toBe(201);
  return await res.json() as { metadata: { uid: string } };
}

/** One seat-bound level (1 share of 600 seats: 3 seats), and a schema sending `user` to it. */
async function smallLevel(name: string, user: string, limitResponse: object): Promise<string> {
  const pl = await create('prioritylevelconfigurations', { metadata: { name }, spec: { type: 'Limited', limited: { nominalConcurrencyShares: 1, lendablePercent: 0, borrowingLimitPercent: 0, limitResponse } } });
  await create('flowschemas', { metadata: { name }, spec: {
    priorityLevelConfiguration: { name }, matchingPrecedence: 50, distinguisherMethod: { type: 'ByUser' },
    rules: [{ subjects: [{ kind: 'User', user: { name: user } }], resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'], namespaces: ['*'], clusterScope: true }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }] }],
  } });
  return pl.metadata.uid;
}

const levelOf = async (headers: Record<string, string>) => (await fetch(`${server.url}/version`, { headers })).headers.get('x-kubernetes-pf-prioritylevel-uid');

async function metric(name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`, { headers: admin })).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && labels.split(',').every((kv) => l.includes(kv)));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

function expectTooManyRequests(res: Response): void {
  expect(res.status).toBe(429);
  expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
}

it('creates kube\'s mandatory and suggested configuration', async () => {
  const fs = await (await fetch(`${server.url}${fc}/flowschemas`, { headers: admin })).json() as { items: Array<{ metadata: { name: string; annotations: Record<string, string> } }> };
  expect(fs.items.map((i) => i.metadata.name).sort()).toEqual(['catch-all', 'exempt', 'global-default', 'kube-controller-manager', 'kube-scheduler',
    'kube-system-service-accounts', 'probes', 'service-accounts', 'system-leader-election', 'system-node-high', 'system-nodes']);
  expect(fs.items.every((i) => i.metadata.annotations['apf.kubernetes.io/autoupdate-spec'] === 'true')).toBe(true);
  const pls = await (await fetch(`${server.url}${fc}/prioritylevelconfigurations`, { headers: admin })).json() as { items: Array<{ metadata: { name: string; uid: string } }> };
  expect(pls.items.map((i) => i.metadata.name).sort()).toEqual(['catch-all', 'exempt', 'global-default', 'leader-election', 'node-high', 'system', 'workload-high', 'workload-low']);
  // The response names the level by UID: system:masters is exempt, another user global-default.
  const uid = (name: string) => pls.items.find((i) => i.metadata.name === name)!.metadata.uid;
  await eventually(async () => (await levelOf(admin)) === uid('exempt') && (await levelOf(calm)) === uid('global-default'), { what: 'the configuration followed' });
  expect(await metric('apiserver_flowcontrol_nominal_limit_seats', 'priority_level="global-default"')).toBe(49); // ceil(600 * 20 / 245)

  // Each FlowSchema says whether its level exists (kubectl's MISSINGPL column).
  const dangling = async (name: string) => ((await (await fetch(`${server.url}${fc}/flowschemas/${name}`, { headers: admin })).json()) as { status?: { conditions?: Array<{ type: string; status: string; reason: string }> } })
    .status?.conditions?.find((c) => c.type === 'Dangling');
  await eventually(async () => (await dangling('global-default'))?.status === 'False', { what: 'global-default Dangling=False' });
  await create('flowschemas', { metadata: { name: 'nowhere' }, spec: { priorityLevelConfiguration: { name: 'no-such-level' }, rules: [{ subjects: [{ kind: 'User', user: { name: 'x' } }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }] }] } });
  await eventually(async () => (await dangling('nowhere'))?.reason === 'NotFound', { what: 'nowhere Dangling=True' });
  expect((await dangling('nowhere'))?.status).toBe('True');
}, 60000);

it('a flood from one user in a small level gets 429 with Retry-After while another user is served', async () => {
  const rejectUID = await smallLevel('tiny-reject', 'flooder', { type: 'Reject' });
  const queueUID = await smallLevel('tiny-queue', 'queuer', { type: 'Queue', queuing: { queues: 1, handSize: 1, queueLengthLimit: 2 } });
  await eventually(async () => (await levelOf(flooder)) === rejectUID && (await levelOf(queuer)) === queueUID, { what: 'the new levels followed' });

  const etcdPid = etcd.process.pid!;
  process.kill(etcdPid, 'SIGSTOP');
  const held: Promise<Response>[] = [];
  try {
    // Consistent reads wait for etcd: three of them fill each small level's 3 seats.
    for (let i = 0; i < 3; i++) held.push(fetch(`${server.url}${cm}/held-${i}`, { headers: flooder }), fetch(`${server.url}${cm}/held-q${i}`, { headers: queuer }));
    await eventually(async () => (await fetch(`${server.url}/version`, { headers: flooder })).status === 429, { what: 'the flooder\'s seats taken' });

    // Reject: the flood is refused at once, reads and non-resource requests alike.
    const flood = await Promise.all(Array.from({ length: 20 }, (_, i) => fetch(`${server.url}${i % 2 ? '/version' : `${cm}/more-${i}`}`, { headers: flooder })));
    for (const res of flood) expectTooManyRequests(res);
    expect(await flood[0].text()).toBe('Too many requests, please try again later.\n');
    expect(flood[0].headers.get('x-kubernetes-pf-prioritylevel-uid')).toBe(rejectUID);

    // Another user, another flow and level: every request served meanwhile (from the watch cache, no etcd).
    const served = await Promise.all(Array.from({ length: 20 }, (_, i) => fetch(`${server.url}${i % 2 ? '/version' : `${cm}?resourceVersion=0`}`, { headers: calm })));
    expect(served.map((r) => r.status)).toEqual(Array(20).fill(200));

    // Queue: two more wait in the one queue (each may wait a quarter of its 4 s timeout), the next is refused as the queue is full.
    await eventually(async () => (await metric('apiserver_flowcontrol_current_executing_requests', 'priority_level="tiny-queue"')) === 3, { what: 'the queuer\'s seats taken' });
    const waiting = [fetch(`${server.url}/version?timeout=4s`, { headers: queuer }), fetch(`${server.url}/version?timeout=4s`, { headers: queuer })];
    await eventually(async () => (await metric('apiserver_flowcontrol_current_inqueue_requests', 'priority_level="tiny-queue"')) === 2, { what: 'two requests queued' });
    expectTooManyRequests(await fetch(`${server.url}/version`, { headers: queuer }));
    for (const res of await Promise.all(waiting)) expectTooManyRequests(res); // the wait ran out while etcd held the seats
  } finally {
    process.kill(etcdPid, 'SIGCONT');
  }
  expect((await Promise.all(held)).map((r) => r.status)).toEqual(Array(6).fill(404));
  // The seats are free again.
  expect((await fetch(`${server.url}/version`, { headers: flooder })).status).toBe(200);
  expect(await metric('apiserver_flowcontrol_rejected_requests_total', 'priority_level="tiny-reject",reason="concurrency-limit"')).toBeGreaterThanOrEqual(20);
  expect(await metric('apiserver_flowcontrol_rejected_requests_total', 'priority_level="tiny-queue",reason="queue-full"')).toBeGreaterThanOrEqual(1);
  expect(await metric('apiserver_flowcontrol_rejected_requests_total', 'priority_level="tiny-queue",reason="time-out"')).toBe(2);
  expect(await metric('apiserver_flowcontrol_dispatched_requests_total', 'priority_level="global-default",flow_schema="global-default"')).toBeGreaterThanOrEqual(20);
  // Refused after a wait, or at once: each is a wait observed with execute="false".
  expect(await metric('apiserver_flowcontrol_request_wait_duration_seconds_count', 'priority_level="tiny-queue",flow_schema="tiny-queue",execute="false"')).toBeGreaterThanOrEqual(3);
  expect(await metric('apiserver_flowcontrol_request_wait_duration_seconds_bucket', 'priority_level="tiny-queue",flow_schema="tiny-queue",execute="false",le="0.5"')).toBeLessThan(
    await metric('apiserver_flowcontrol_request_wait_duration_seconds_bucket', 'priority_level="tiny-queue",flow_schema="tiny-queue",execute="false",le="+Inf"'));
}, 120000);
