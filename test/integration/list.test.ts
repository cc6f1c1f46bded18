// LIST semantics: limit/continue pages form one snapshot, remainingItemCount, a continue token
// past etcd compaction is 410 with a fresh token, label and field selectors (and 400 for bad
// ones), resourceVersion=0, resourceVersionMatch=Exact / NotOlderThan.
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { api } from '../support/watch.js';

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startCluster(1);
  for (const ns of ['pages', 'sel', 'rv', 'compact']) await api(cluster.url, 'POST', '/api/v1/namespaces', { metadata: { name: ns } });
});
afterAll(async () => {
  await cluster?.stop();
});

const names = (list: any) => list.items.map((o: any) => o.metadata.name);
const cmsOf = (ns: string) => `/api/v1/namespaces/${ns}/configmaps`;

async function status(path: string): Promise<{ code: number; body: any }> {
  const res = await fetch(cluster.url + path);
  return { code: res.status, body: await res.json() };
}

describe('limit and continue', () => {
  const cms = cmsOf('pages');
  beforeAll(async () => {
    for (let i = 0; i < 10; i++) await api(cluster.url, 'POST', cms, { metadata: { name: `p${i}` }, data: { v: '0' } });
  });

  it('pages are one snapshot: writes between pages do not show up', async () => {
    const whole = await api(cluster.url, 'GET', cms);
    const first = await api(cluster.url, 'GET', `${cms}?limit=3`);
    expect(names(first)).toEqual(['p0', 'p1', 'p2']);
    expect(first.metadata.remainingItemCount).toBe(7);
    expect(first.metadata.continue).toBeTruthy();
    const snapshot = first.metadata.resourceVersion;

    // Between pages: a new object after the cursor, one deleted, one updated.
    await api(cluster.url, 'POST', cms, { metadata: { name: 'p5a' } });
    await api(cluster.url, 'DELETE', `${cms}/p7`);
    const p8 = await api(cluster.url, 'GET', `${cms}/p8`);
    await api(cluster.url, 'PUT', `${cms}/p8`, { ...p8, data: { v: 'changed' } });

    const items = [...first.items];
    let token = first.metadata.continue;
    const remaining: number[] = [];
    while (token) {
      const page = await api(cluster.url, 'GET', `${cms}?limit=3&continue=${encodeURIComponent(token)}`);
      expect(page.metadata.resourceVersion).toBe(snapshot);
      items.push(...page.items);
      if (page.metadata.continue) remaining.push(page.metadata.remainingItemCount);
      else expect(page.metadata.remainingItemCount).toBeUndefined();
      token = page.metadata.continue;
    }
    expect(remaining).toEqual([4, 1]);
    expect(items.map((o: any) => `${o.metadata.name}@${o.metadata.resourceVersion}`))
      .toEqual(whole.items.map((o: any) => `${o.metadata.name}@${o.metadata.resourceVersion}`));
    expect(items.find((o: any) => o.metadata.name === 'p8').data.v).toBe('0');

    // A fresh LIST shows the writes.
    const now = await api(cluster.url, 'GET', cms);
    expect(names(now)).toEqual(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p5a', 'p6', 'p8', 'p9']);
  });

  it('a limit at or above the count returns everything without a continue token', async () => {
    const all = await api(cluster.url, 'GET', `${cms}?limit=500`);
    expect(all.items).toHaveLength(10);
    expect(all.metadata.continue).toBeUndefined();
    expect(all.metadata.remainingItemCount).toBeUndefined();
  });

  it('paging with a label selector fills pages with matches only and gives no remainingItemCount', async () => {
    for (let i = 0; i < 6; i++) await api(cluster.url, 'POST', cms, { metadata: { name: `lab${i}`, labels: { pick: i % 2 ? 'yes' : 'no' } } });
    const got: string[] = [];
    let token = '';
    for (;;) {
      const page = await api(cluster.url, 'GET', `${cms}?limit=2&labelSelector=pick%3Dyes${token ? `&continue=${encodeURIComponent(token)}` : ''}`);
      got.push(...names(page));
      expect(page.metadata.remainingItemCount).toBeUndefined();
      if (!page.metadata.continue) break;
      token = page.metadata.continue;
    }
    expect(got).toEqual(['lab1', 'lab3', 'lab5']);
  });

  it('cluster-wide paging crosses namespaces in key order', async () => {
    const got: string[] = [];
    let token = '';
    for (;;) {
      const page = await api(cluster.url, 'GET', `/api/v1/configmaps?limit=4${token ? `&continue=${encodeURIComponent(token)}` : ''}`);
      got.push(...page.items.map((o: any) => `${o.metadata.namespace}/${o.metadata.name}`));
      if (!page.metadata.continue) break;
      token = page.metadata.continue;
    }
    const whole = (await api(cluster.url, 'GET', '/api/v1/configmaps')).items.map((o: any) => `${o.metadata.namespace}/${o.metadata.name}`);
    expect(got).toEqual(whole);
  });

  it('a malformed continue token is 400', async () => {
    const r = await status(`${cms}?limit=2&continue=not-a-token`);
    expect(r.code).toBe(400);
    expect(r.body).toMatchObject({ kind: 'Status', reason: 'BadRequest' });
  });

  it('a continue token older than etcd compaction is 410 Expired with a fresh continue token', async () => {
    const c = cmsOf('compact');
    for (let i = 0; i < 5; i++) await api(cluster.url, 'POST', c, { metadata: { name: `c${i}` } });
    const first = await api(cluster.url, 'GET', `${c}?limit=2`);
    expect(names(first)).toEqual(['c0', 'c1']);
    // Later writes, then compaction past the token's revision.
    await api(cluster.url, 'POST', c, { metadata: { name: 'c9' } });
    const latest = (await api(cluster.url, 'POST', c, { metadata: { name: 'c3a' } })).metadata.resourceVersion;
    execFileSync('etcdctl', ['--endpoints', cluster.etcd.url, 'compact', latest], { stdio: 'ignore' });
    const r = await status(`${c}?limit=2&continue=${encodeURIComponent(first.metadata.continue)}`);
    expect(r.code).toBe(410);
    expect(r.body).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 });
    const fresh = r.body.metadata.continue;
    expect(typeof fresh).toBe('string');
    // The fresh token continues after c1, inconsistently, at the newest state.
    const rest: string[] = [];
    let token = fresh;
    while (token) {
      const page = await api(cluster.url, 'GET', `${c}?limit=2&continue=${encodeURIComponent(token)}`);
      rest.push(...names(page));
      token = page.metadata.continue;
    }
    expect(rest).toEqual(['c2', 'c3', 'c3a', 'c4', 'c9']);
  });
});

describe('selectors', () => {
  const cms = cmsOf('sel');
  beforeAll(async () => {
    const labels: Record<string, Record<string, string>> = {
      a: { env: 'prod', tier: 'web' }, b: { env: 'dev', tier: 'web' }, c: { env: 'test' }, d: {},
    };
    for (const [name, l] of Object.entries(labels)) await api(cluster.url, 'POST', cms, { metadata: { name, labels: l } });
  });

  const cases: Array<[string, string[]]> = [
    ['env=prod', ['a']],
    ['env==prod', ['a']],
    ['env!=prod', ['b', 'c', 'd']],
    ['env in (prod,dev)', ['a', 'b']],
    ['env notin (prod,dev)', ['c', 'd']],
    ['tier', ['a', 'b']],
    ['!tier', ['c', 'd']],
    ['tier=web,env!=dev', ['a']],
    ['env in (test),!tier', ['c']],
    ['', ['a', 'b', 'c', 'd']],
  ];
  for (const [sel, want] of cases) {
    it(`labelSelector "${sel}"`, async () => {
      expect(names(await api(cluster.url, 'GET', `${cms}?labelSelector=${encodeURIComponent(sel)}`))).toEqual(want);
    });
  }

  it('bad label selectors are 400', async () => {
    for (const sel of ['env in prod', 'env=(', '=x', 'a b', 'env in (a b)']) {
      const r = await status(`${cms}?labelSelector=${encodeURIComponent(sel)}`);
      expect(r.code, sel).toBe(400);
      expect(r.body).toMatchObject({ kind: 'Status', reason: 'BadRequest', code: 400 });
    }
  });

  it('field selector metadata.name / metadata.namespace', async () => {
    expect(names(await api(cluster.url, 'GET', `${cms}?fieldSelector=metadata.name%3Db`))).toEqual(['b']);
    expect(names(await api(cluster.url, 'GET', `${cms}?fieldSelector=metadata.name!%3Db`))).toEqual(['a', 'c', 'd']);
    const all = await api(cluster.url, 'GET', `/api/v1/configmaps?fieldSelector=metadata.namespace%3Dsel`);
    expect(names(all)).toEqual(['a', 'b', 'c', 'd']);
    expect(names(await api(cluster.url, 'GET', `${cms}?fieldSelector=metadata.name%3Da&labelSelector=env%3Ddev`))).toEqual([]);
  });

  it('an unsupported field is 400', async () => {
    const r = await status(`${cms}?fieldSelector=data.x%3Dy`);
    expect(r.code).toBe(400);
    expect(r.body).toMatchObject({ kind: 'Status', reason: 'BadRequest' });
    expect(r.body.message).toContain('field label not supported: data.x');
  });
});

describe('resourceVersion', () => {
  const cms = cmsOf('rv');

  it('resourceVersion=0 answers from the cache, at least as new as what this client wrote', async () => {
    const made = await api(cluster.url, 'POST', cms, { metadata: { name: 'zero' } });
    const list = await api(cluster.url, 'GET', `${cms}?resourceVersion=0`);
    expect(names(list)).toContain('zero');
    expect(Number(list.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(made.metadata.resourceVersion));
  });

  it('resourceVersionMatch=Exact lists the state at that revision', async () => {
    const x = (await api(cluster.url, 'POST', cms, { metadata: { name: 'exact' }, data: { v: 'old' } }));
    const at = x.metadata.resourceVersion;
    await api(cluster.url, 'PUT', `${cms}/exact`, { ...x, data: { v: 'new' } });
    await api(cluster.url, 'POST', cms, { metadata: { name: 'later' } });
    await api(cluster.url, 'DELETE', `${cms}/zero`);
    const then = await api(cluster.url, 'GET', `${cms}?resourceVersion=${at}&resourceVersionMatch=Exact`);
    expect(then.metadata.resourceVersion).toBe(at);
    expect(names(then)).toEqual(['exact', 'zero']);
    expect(then.items[0].data.v).toBe('old');
    // With limit: pages at that revision.
    const page = await api(cluster.url, 'GET', `${cms}?resourceVersion=${at}&resourceVersionMatch=Exact&limit=1`);
    expect(names(page)).toEqual(['exact']);
    expect(page.metadata.remainingItemCount).toBe(1);
    const next = await api(cluster.url, 'GET', `${cms}?limit=1&continue=${encodeURIComponent(page.metadata.continue)}`);
    expect(names(next)).toEqual(['zero']);
    expect(next.metadata.resourceVersion).toBe(at);
  });

  it('resourceVersionMatch=NotOlderThan lists a state at least that new', async () => {
    const last = (await api(cluster.url, 'POST', cms, { metadata: { name: 'nol' } })).metadata.resourceVersion;
    const list = await api(cluster.url, 'GET', `${cms}?resourceVersion=${last}&resourceVersionMatch=NotOlderThan`);
    expect(names(list)).toEqual(['exact', 'later', 'nol']);
    expect(Number(list.metadata.resourceVersion)).toBeGreaterThanOrEqual(Number(last));
  });

  it('a resourceVersion from the future is 504 Timeout with cause ResourceVersionTooLarge (etcd and watch cache)', async () => {
    const future = 10_000_000;
    for (const q of [`resourceVersion=${future}&resourceVersionMatch=Exact`, `resourceVersion=${future}`]) {
      const res = await fetch(`${cluster.url}${cms}?${q}`);
      expect(res.status, q).toBe(504);
      expect(res.headers.get('retry-after')).toBe('1');
      const body = await res.json();
      expect(body).toMatchObject({ kind: 'Status', reason: 'Timeout', code: 504, details: { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 } });
      expect(body.message).toMatch(new RegExp(`^Too large resource version: ${future}, current: \\d+$`));
    }
  });

  it('invalid resourceVersion / resourceVersionMatch combinations', async () => {
    expect((await status(`${cms}?resourceVersionMatch=Exact`)).code).toBe(422);
    expect((await status(`${cms}?resourceVersion=1&resourceVersionMatch=Sometimes`)).code).toBe(422);
    expect((await status(`${cms}?resourceVersion=0&resourceVersionMatch=Exact`)).code).toBe(422);
    expect((await status(`${cms}?resourceVersion=abc`)).code).toBe(400);
  });
});
