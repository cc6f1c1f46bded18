// --max-requests-inflight / --max-mutating-requests-inflight on a real server: requests are held in
// flight by stopping etcd (SIGSTOP), the server's own count (/metrics) says when they are, and the
// next one gets kube's 429 while watches, health probes and system:masters still get through. A held
// request is known to be in flight once a quick request of its kind (one that needs no etcd) is refused.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ApiServerProcess, type Etcd, startApiServer, startEtcd } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { openWatch } from '../support/watch.js';

let dir: string;
let etcd: Etcd;
let server: ApiServerProcess;
const admin = { Authorization: 'Bearer admin-token' };
const cm = '/api/v1/namespaces/default/configmaps';

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kats-inflight-'));
  const tokens = path.join(dir, 'tokens.csv');
  writeFileSync(tokens, 'admin-token,admin,1,"system:masters"\n');
  etcd = await startEtcd(dir);
  // etcd's and the request's own timeouts far away, so only etcd's return lets a held request go.
  server = await startApiServer(etcd.url, [
    '--enable-priority-and-fairness=false', '--max-requests-inflight=2', '--max-mutating-requests-inflight=1', '--etcd-request-timeout=120s', '--request-timeout=120s', `--token-auth-file=${tokens}`,
  ]);
}, 90000);

afterAll(async () => {
  if (etcd) process.kill(etcd.process.pid!, 'SIGCONT');
  await server?.stop();
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * apiserver_current_inflight_requests, read as system:masters: answered even when the limits are full;
 * below the read limit the scrape itself is one of the reads counted.
 */
async function inFlight(): Promise<{ readOnly: number; mutating: number }> {
  const text = await (await fetch(`${server.url}/metrics`, { headers: admin })).text();
  const value = (kind: string) => Number(text.match(new RegExp(`^apiserver_current_inflight_requests\\{request_kind="${kind}"\\} (\\d+)$`, 'm'))?.[1]);
  return { readOnly: value('readOnly'), mutating: value('mutating') };
}

async function expectTooManyRequests(res: Response): Promise<void> {
  expect(res.status).toBe(429);
  expect(res.headers.get('retry-after')).toBe('1');
  expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  expect(await res.text()).toBe('Too many requests, please try again later.\n');
}

it('past the limits: 429 with Retry-After, reads and writes counted apart, watches, probes and system:masters exempt', async () => {
  expect(await inFlight()).toEqual({ readOnly: 1, mutating: 0 });
  const etcdPid = etcd.process.pid!;
  process.kill(etcdPid, 'SIGSTOP');
  const held: Promise<Response>[] = [];
  let watch: Awaited<ReturnType<typeof openWatch>> | undefined;
  try {
    // Two anonymous consistent reads wait for etcd: the read-only limit is full.
    held.push(fetch(`${server.url}${cm}/held-1`), fetch(`${server.url}${cm}/held-2`));
    await eventually(async () => (await fetch(`${server.url}/version`)).status === 429, { what: 'two reads in flight' });
    expect(await inFlight()).toEqual({ readOnly: 2, mutating: 0 }); // full: the masters' scrape is not counted

    await expectTooManyRequests(await fetch(`${server.url}${cm}/one-more`));
    await expectTooManyRequests(await fetch(`${server.url}/version`)); // non-resource reads count too, as in kube
    // system:masters always gets an answer (kube: a super-admin or the loopback client).
    expect((await fetch(`${server.url}/version`, { headers: admin })).status).toBe(200);
    // kube's probe paths are exempt (the default `probes` FlowSchema), so a busy instance stays in its LB.
    expect((await fetch(`${server.url}/livez?exclude=etcd`)).status).toBe(200);

    // A watch is long-running: not counted, not refused.
    watch = await openWatch(`${server.url}${cm}?watch=true&resourceVersion=0`);
    expect(await inFlight()).toEqual({ readOnly: 2, mutating: 0 });

    // Writes have their own limit: one is let in (and waits for etcd), the next is refused.
    held.push(fetch(`${server.url}${cm}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ metadata: { name: 'held-write' } }) }));
    // A POST to a path nobody serves needs no etcd: it is 404 at once until the write holds the one slot.
    await eventually(async () => (await fetch(`${server.url}/not-served`, { method: 'POST' })).status === 429, { what: 'one write in flight' });
    expect(await inFlight()).toEqual({ readOnly: 2, mutating: 1 });
    await expectTooManyRequests(await fetch(`${server.url}${cm}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ metadata: { name: 'refused' } }) }));
    await expectTooManyRequests(await fetch(`${server.url}${cm}/held-1`, { method: 'DELETE' }));
    await expectTooManyRequests(await fetch(`${server.url}${cm}/still-full`));
  } finally {
    process.kill(etcdPid, 'SIGCONT');
    watch?.stop();
  }
  // etcd is back: the held requests finish, their slots come free, and the same requests pass.
  expect((await Promise.all(held)).map((r) => r.status)).toEqual([404, 404, 201]);
  await eventually(async () => JSON.stringify(await inFlight()) === JSON.stringify({ readOnly: 1, mutating: 0 }), { what: 'nothing in flight but the scrape' });
  expect((await fetch(`${server.url}${cm}/held-write`)).status).toBe(200);
  expect((await fetch(`${server.url}${cm}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ metadata: { name: 'after' } }) })).status).toBe(201);
}, 120000);
