// The storage interface's contract, run on the etcd3 storage (real etcd) and on the in-memory one
// the unit tests use, so the two cannot drift: revisions, preconditions, pagination, watch.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startEtcd, type Etcd } from '../support/cluster.js';

let etcd: Etcd;
let dir: string;
const closers: Array<() => void> = [];
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kats-storage-'));
  etcd = await startEtcd(dir);
});
afterAll(async () => {
  for (const c of closers) c();
  await etcd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const implementations: Array<[string, () => Promise<any>]> = [
  ['etcd3', async () => {
    const { EtcdStorage } = await import(path.join(repoRoot, 'dist/server/storage/etcd3/etcd3.js'));
    const s = new EtcdStorage({ endpoints: [etcd.url], requestTimeoutMs: 5000 });
    closers.push(() => s.close());
    return s;
  }],
  ['memory', async () => {
    const { MemoryStorage } = await import(path.join(repoRoot, 'dist/server/storage/memory/memory.js'));
    return new MemoryStorage();
  }],
];

async function failure(p: Promise<unknown>): Promise<any> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error('expected a failure');
}

describe.each(implementations)('%s storage', (name, make) => {
  const root = `/registry/contract-${name}/`;
  const v = (s: string) => Buffer.from(JSON.stringify({ v: s }));

  it('creates once, updates and deletes only at the expected mod revision, with revisions in order', async () => {
    const s = await make();
    const k = `${root}a`;
    const r1 = await s.create(k, v('1'));
    expect(r1).toBe(await s.currentRevision());
    expect((await failure(s.create(k, v('x')))).constructor.name).toBe('PreconditionFailed');
    const got = await s.get(k);
    expect(got.value.modRevision).toBe(r1);
    expect(got.value.createRevision).toBe(r1);
    const stale = await failure(s.update(k, v('x'), { modRevision: r1 - 1 }));
    expect(stale.current.modRevision).toBe(r1);
    const r2 = await s.update(k, v('2'), { modRevision: r1 });
    expect(r2).toBeGreaterThan(r1);
    expect((await s.get(k)).value.createRevision).toBe(r1);
    expect((await failure(s.delete(k, { modRevision: r1 }))).current.modRevision).toBe(r2);
    const r3 = await s.delete(k, { modRevision: r2 });
    expect(r3).toBeGreaterThan(r2);
    expect((await s.get(k)).value).toBeNull();
    expect((await failure(s.update(k, v('3'), { modRevision: r2 }))).current).toBeNull();
  });

  it('lists in key order with limit, continue and remainingItemCount, and filters by predicate', async () => {
    const s = await make();
    const p = `${root}list/`;
    for (const n of ['c', 'a', 'e', 'b', 'd']) await s.create(p + n, v(n));
    const first = await s.list(p, { limit: 2 });
    expect(first.items.map((i: any) => i.key.slice(p.length))).toEqual(['a', 'b']);
    expect(first.remainingItemCount).toBe(3);
    const second = await s.list(p, { limit: 2, continue: first.continue });
    expect(second.items.map((i: any) => i.key.slice(p.length))).toEqual(['c', 'd']);
    const odd = (sv: any) => ['a', 'c', 'e'].includes(JSON.parse(sv.value.toString()).v);
    const filtered = await s.list(p, { limit: 2, predicate: odd });
    expect(filtered.items.map((i: any) => i.key.slice(p.length))).toEqual(['a', 'c']);
    expect(filtered.remainingItemCount).toBeUndefined();
    const rest = await s.list(p, { limit: 2, predicate: odd, continue: filtered.continue });
    expect(rest.items.map((i: any) => i.key.slice(p.length))).toEqual(['e']);
    expect(rest.continue).toBeUndefined();
    const forged = Buffer.from('{"v":"meta.k8s.io/v1","rv":1e300,"start":"a"}').toString('base64url');
    expect((await failure(s.list(p, { continue: forged }))).code).toBe(400);
  });

  it('watches from a revision, turning an object that leaves the predicate into DELETED', async () => {
    const s = await make();
    const p = `${root}watch/`;
    const from = await s.currentRevision();
    const events: string[] = [];
    let closed = false;
    const picked = (sv: any) => JSON.parse(sv.value.toString()).v === 'yes';
    const w = await s.watch(p, { resourceVersion: String(from), predicate: picked }, {
      event: (type: string, sv: any) => events.push(`${type} ${sv.key.slice(p.length)}`),
      initialEventsEnd: () => undefined, error: () => undefined, close: () => { closed = true; },
    });
    const r = await s.create(`${p}x`, v('yes'));
    await s.create(`${p}y`, v('no'));
    const r2 = await s.update(`${p}x`, v('no'), { modRevision: r });
    await s.update(`${p}x`, v('yes'), { modRevision: r2 });
    const last = await s.get(`${p}x`);
    await s.delete(`${p}x`, { modRevision: last.value.modRevision });
    const want = ['ADDED x', 'DELETED x', 'ADDED x', 'DELETED x'];
    for (let i = 0; i < 100 && events.length < want.length; i++) await new Promise((res) => setTimeout(res, 20));
    w.stop();
    expect(events).toEqual(want);
    expect(closed).toBe(true);
  });
});
