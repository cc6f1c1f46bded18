// kube-apiserver's watch semantics: resourceVersion unset / 0 / N, 410 Expired (history exceeded,
// etcd compacted), sendInitialEvents with the initial-events-end bookmark, 422 for invalid
// combinations, bookmarks, timeoutSeconds, selector transitions, WebSocket watches.
import { execFileSync } from 'node:child_process';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, startCluster, type ApiServerProcess, type TestCluster } from '../support/cluster.js';
import { api, openWatch, type WatchEvent } from '../support/watch.js';

let cluster: TestCluster;
const extra: ApiServerProcess[] = [];
const history = 40;
beforeAll(async () => {
  cluster = await startCluster(1, [`--watch-cache-history=${history}`, '--watch-bookmark-interval=1s']);
  for (const ns of ['sem', 'sel', 'exp', 'ws']) await api(cluster.url, 'POST', '/api/v1/namespaces', { metadata: { name: ns } });
});
afterAll(async () => {
  for (const a of extra) await a.stop();
  await cluster?.stop();
});

const objects = (evs: WatchEvent[]) => evs.filter((e) => e.type !== 'BOOKMARK').map((e) => `${e.type} ${e.object.metadata.name}`);
const hasName = (name: string) => (evs: WatchEvent[]) => evs.some((e) => e.object?.metadata?.name === name);

describe('resourceVersion', () => {
  const cms = '/api/v1/namespaces/sem/configmaps';
  let rvAfterTwo = '';
  beforeAll(async () => {
    await api(cluster.url, 'POST', cms, { metadata: { name: 'one' } });
    rvAfterTwo = (await api(cluster.url, 'POST', cms, { metadata: { name: 'two' } })).metadata.resourceVersion;
  });

  for (const rv of [undefined, '0']) {
    it(`resourceVersion ${rv ?? 'unset'}: ADDED for every existing object, then live events`, async () => {
      const w = await openWatch(`${cluster.url}${cms}?watch=true${rv === undefined ? '' : `&resourceVersion=${rv}`}`);
      await w.until((evs) => evs.length >= 2, 'initial events');
      const live = `live-${rv ?? 'unset'}`;
      await api(cluster.url, 'POST', cms, { metadata: { name: live } });
      await w.until(hasName(live), live);
      w.stop();
      const initial = objects(w.events).slice(0, -1);
      expect(initial).toEqual(expect.arrayContaining(['ADDED one', 'ADDED two']));
      expect(initial.every((s) => s.startsWith('ADDED'))).toBe(true);
      expect(objects(w.events).at(-1)).toBe(`ADDED ${live}`);
    });
  }

  it('resourceVersion N: only what happened after N', async () => {
    const w = await openWatch(`${cluster.url}${cms}?watch=true&resourceVersion=${rvAfterTwo}`);
    await api(cluster.url, 'POST', cms, { metadata: { name: 'three' } });
    await w.until(hasName('three'), 'three');
    w.stop();
    expect(objects(w.events).filter((s) => /one|two|three/.test(s))).toEqual(['ADDED three']);
  });

  it('sendInitialEvents ends the initial events with an annotated BOOKMARK, then live events', async () => {
    const w = await openWatch(`${cluster.url}${cms}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`);
    await w.until((evs) => evs.some((e) => e.type === 'BOOKMARK'), 'bookmark');
    const end = w.events.findIndex((e) => e.type === 'BOOKMARK');
    const before = w.events.slice(0, end);
    expect(before.length).toBeGreaterThanOrEqual(3);
    expect(before.every((e) => e.type === 'ADDED')).toBe(true);
    const bm = w.events[end].object;
    expect(bm.kind).toBe('ConfigMap');
    expect(bm.metadata.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
    const maxRv = Math.max(...before.map((e) => Number(e.object.metadata.resourceVersion)));
    expect(Number(bm.metadata.resourceVersion)).toBeGreaterThanOrEqual(maxRv);
    await api(cluster.url, 'POST', cms, { metadata: { name: 'after-bookmark' } });
    await w.until(hasName('after-bookmark'), 'after-bookmark');
    w.stop();
    expect(w.events.filter((e) => e.type === 'ADDED').at(-1)!.object.metadata.name).toBe('after-bookmark');
  });

  it('sendInitialEvents=false with a resourceVersion starts after it, no initial events', async () => {
    const w = await openWatch(`${cluster.url}${cms}?watch=true&sendInitialEvents=false&resourceVersionMatch=NotOlderThan&resourceVersion=${rvAfterTwo}`);
    await api(cluster.url, 'POST', cms, { metadata: { name: 'four' } });
    await w.until(hasName('four'), 'four');
    w.stop();
    expect(objects(w.events).filter((s) => /one|two/.test(s))).toEqual([]);
  });

  for (const rv of ['', '0']) {
    it(`sendInitialEvents=false with resourceVersion "${rv}" starts now: no initial events, no error`, async () => {
      const w = await openWatch(`${cluster.url}${cms}?watch=true&sendInitialEvents=false&resourceVersionMatch=NotOlderThan${rv ? `&resourceVersion=${rv}` : ''}`);
      const name = `now-${rv || 'unset'}`;
      await api(cluster.url, 'POST', cms, { metadata: { name } });
      await w.until(hasName(name), name);
      w.stop();
      expect(objects(w.events)).toEqual([`ADDED ${name}`]);
    });
  }

  it('invalid combinations are 422 Invalid', async () => {
    for (const q of [
      'sendInitialEvents=true&allowWatchBookmarks=true',
      'sendInitialEvents=true&resourceVersionMatch=NotOlderThan',
      'resourceVersionMatch=NotOlderThan&resourceVersion=1',
    ]) {
      const res = await fetch(`${cluster.url}${cms}?watch=true&${q}`);
      expect(res.status, q).toBe(422);
      const status = await res.json();
      expect(status).toMatchObject({ kind: 'Status', reason: 'Invalid', code: 422 });
    }
  });

  it('bookmarks arrive with allowWatchBookmarks and carry the current resourceVersion', async () => {
    const w = await openWatch(`${cluster.url}${cms}?watch=true&resourceVersion=${rvAfterTwo}&allowWatchBookmarks=true`);
    const created = await api(cluster.url, 'POST', cms, { metadata: { name: 'bm' } });
    await w.until((evs) => evs.some((e) => e.type === 'BOOKMARK' && Number(e.object.metadata.resourceVersion) >= Number(created.metadata.resourceVersion)), 'a bookmark');
    w.stop();
    const bm = w.events.find((e) => e.type === 'BOOKMARK')!.object;
    expect(bm).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1' });
    expect(bm.metadata.annotations).toBeUndefined();
  });

  it('no bookmarks without allowWatchBookmarks', async () => {
    const w = await openWatch(`${cluster.url}${cms}?watch=true&resourceVersion=${rvAfterTwo}&timeoutSeconds=3`);
    await w.closed;
    expect(w.events.filter((e) => e.type === 'BOOKMARK')).toEqual([]);
  });

  it('timeoutSeconds ends the stream', async () => {
    const w = await openWatch(`${cluster.url}${cms}?watch=true&timeoutSeconds=1`);
    await w.closed;
    expect(w.events.length).toBeGreaterThan(0);
  });
});

describe('410 Expired', () => {
  const cms = '/api/v1/namespaces/exp/configmaps';

  it('a watch from before the server history answers an ERROR event with Status Expired 410', async () => {
    const old = (await api(cluster.url, 'POST', cms, { metadata: { name: 'churn' }, data: { v: '0' } })).metadata.resourceVersion;
    for (let i = 1; i <= history + 10; i++) {
      const cur = await api(cluster.url, 'GET', `${cms}/churn`);
      await api(cluster.url, 'PUT', `${cms}/churn`, { ...cur, data: { v: String(i) } });
    }
    const w = await openWatch(`${cluster.url}${cms}?watch=true&resourceVersion=${old}`);
    await w.closed;
    expect(w.events).toHaveLength(1);
    expect(w.events[0].type).toBe('ERROR');
    expect(w.events[0].object).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 });
    expect(w.events[0].object.message).toMatch(/too old resource version/);
  });

  it('after etcd compaction, a restarted server answers 410 for a position before it (watch and exact LIST)', async () => {
    const old = (await api(cluster.url, 'POST', cms, { metadata: { name: 'before-compact' } })).metadata.resourceVersion;
    const latest = (await api(cluster.url, 'POST', cms, { metadata: { name: 'compact-point' } })).metadata.resourceVersion;
    execFileSync('etcdctl', ['--endpoints', cluster.etcd.url, 'compact', latest], { stdio: 'ignore' });
    const fresh = await startApiServer(cluster.etcd.url);
    extra.push(fresh);
    const w = await openWatch(`${fresh.url}${cms}?watch=true&resourceVersion=${old}`);
    await w.closed;
    expect(w.events.map((e) => [e.type, e.object.reason, e.object.code])).toEqual([['ERROR', 'Expired', 410]]);
    const list = await fetch(`${fresh.url}${cms}?resourceVersion=${old}&resourceVersionMatch=Exact`);
    expect(list.status).toBe(410);
    expect(await list.json()).toMatchObject({ kind: 'Status', reason: 'Expired', code: 410 });
    // From the compaction point on, it resumes.
    const ok = await openWatch(`${fresh.url}${cms}?watch=true&resourceVersion=${latest}`);
    await api(fresh.url, 'POST', cms, { metadata: { name: 'after-compact' } });
    await ok.until(hasName('after-compact'), 'after-compact');
    ok.stop();
    expect(objects(ok.events)).toEqual(['ADDED after-compact']);
  });
});

describe('selectors', () => {
  const cms = '/api/v1/namespaces/sel/configmaps';

  it('an object leaving the selector is DELETED for the watcher, entering it is ADDED', async () => {
    const rv = (await api(cluster.url, 'GET', cms)).metadata.resourceVersion;
    const w = await openWatch(`${cluster.url}${cms}?watch=true&resourceVersion=${rv}&labelSelector=tier%3Dfront`);
    const f = await api(cluster.url, 'POST', cms, { metadata: { name: 'flip', labels: { tier: 'front' } }, data: { v: '1' } });
    const f2 = await api(cluster.url, 'PUT', `${cms}/flip`, { ...f, data: { v: '2' } });
    const f3 = await api(cluster.url, 'PUT', `${cms}/flip`, { ...f2, metadata: { ...f2.metadata, labels: { tier: 'back' } } });
    const f4 = await api(cluster.url, 'PUT', `${cms}/flip`, { ...f3, data: { v: '3' } });
    const f5 = await api(cluster.url, 'PUT', `${cms}/flip`, { ...f4, metadata: { ...f4.metadata, labels: { tier: 'front' } } });
    await api(cluster.url, 'DELETE', `${cms}/flip`);
    await api(cluster.url, 'POST', cms, { metadata: { name: 'other', labels: { tier: 'back' } } });
    await api(cluster.url, 'POST', cms, { metadata: { name: 'end', labels: { tier: 'front' } } });
    await w.until(hasName('end'), 'end');
    w.stop();
    expect(w.events.map((e) => `${e.type} ${e.object.metadata.name} ${e.object.metadata.resourceVersion}`)).toEqual([
      `ADDED flip ${f.metadata.resourceVersion}`,
      `MODIFIED flip ${f2.metadata.resourceVersion}`,
      `DELETED flip ${f3.metadata.resourceVersion}`,
      `ADDED flip ${f5.metadata.resourceVersion}`,
      expect.stringMatching(/^DELETED flip \d+$/),
      expect.stringMatching(/^ADDED end \d+$/),
    ]);
    // The DELETED for leaving carries the new state (labels no longer matching), as kube sends it.
    expect(w.events[2].object.metadata.labels).toEqual({ tier: 'back' });
  });

  it('field selector metadata.name watches one object', async () => {
    const rv = (await api(cluster.url, 'GET', cms)).metadata.resourceVersion;
    const w = await openWatch(`${cluster.url}${cms}?watch=true&resourceVersion=${rv}&fieldSelector=metadata.name%3Dpicked`);
    await api(cluster.url, 'POST', cms, { metadata: { name: 'not-picked' } });
    await api(cluster.url, 'POST', cms, { metadata: { name: 'picked' } });
    await w.until(hasName('picked'), 'picked');
    w.stop();
    expect(objects(w.events)).toEqual(['ADDED picked']);
  });
});

describe('WebSocket', () => {
  it('streams one WatchEvent per text message, and reports errors as an ERROR event', async () => {
    const base = cluster.url.replace('http', 'ws');
    await api(cluster.url, 'POST', '/api/v1/namespaces/ws/configmaps', { metadata: { name: 'pre' } });
    const ws = new WebSocket(`${base}/api/v1/namespaces/ws/configmaps?watch=true`);
    const messages: any[] = [];
    const waiters: Array<() => void> = [];
    ws.on('message', (data, isBinary) => {
      expect(isBinary).toBe(false);
      messages.push(JSON.parse(String(data)));
      for (const w of waiters) w();
    });
    const closed = new Promise<void>((r) => ws.on('close', () => r()));
    const until = (pred: () => boolean) => new Promise<void>((resolve) => {
      const check = () => pred() && resolve();
      waiters.push(check);
      check();
    });
    await new Promise((r, j) => { ws.on('open', r); ws.on('error', j); });
    await until(() => messages.length >= 1);
    await api(cluster.url, 'POST', '/api/v1/namespaces/ws/configmaps', { metadata: { name: 'live' } });
    const live = await api(cluster.url, 'GET', '/api/v1/namespaces/ws/configmaps/live');
    await api(cluster.url, 'PUT', '/api/v1/namespaces/ws/configmaps/live', { ...live, data: { x: 'y' } });
    await api(cluster.url, 'DELETE', '/api/v1/namespaces/ws/configmaps/live');
    await until(() => messages.length >= 4);
    expect(messages.map((m) => `${m.type} ${m.object.metadata.name}`)).toEqual(['ADDED pre', 'ADDED live', 'MODIFIED live', 'DELETED live']);
    ws.close();
    await closed;

    // A position too old: one ERROR message, then the server closes.
    const old = new WebSocket(`${base}/api/v1/namespaces/ws/configmaps?watch=true&resourceVersion=1`);
    const got: any[] = [];
    old.on('message', (d) => got.push(JSON.parse(String(d))));
    await new Promise<void>((r) => old.on('close', () => r()));
    expect(got).toHaveLength(1);
    expect(got[0]).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
  });
});
