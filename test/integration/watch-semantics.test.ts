// kube-apiserver's watch and list semantics against real etcd: resourceVersion unset / 0 / N,
// 410 Expired, sendInitialEvents, bookmarks, timeouts, selector transitions, pagination.
import { Etcd3 } from 'etcd3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { api, openWatch } from '../support/watch.js';

let cluster: TestCluster;
const ns = '/api/v1/namespaces/default/configmaps';
const cm = (name: string, labels: Record<string, string> = {}) => ({ metadata: { name, labels }, data: { a: '1' } });

beforeAll(async () => {
  cluster = await startCluster(1, ['--watch-cache-history=50', '--watch-bookmark-interval=1s']);
});
afterAll(async () => {
  await cluster?.stop();
});

describe('watch', () => {
  it('unset and 0 start with the current state as ADDED; N starts after N', async () => {
    const a = await api(cluster.url, 'POST', ns, cm('rv-a'));
    const w0 = await openWatch(`${cluster.url}${ns}?watch=1&resourceVersion=0&fieldSelector=metadata.name%3Drv-a`);
    const wUnset = await openWatch(`${cluster.url}${ns}?watch=1&fieldSelector=metadata.name%3Drv-a`);
    await w0.until((e) => e.length >= 1);
    await wUnset.until((e) => e.length >= 1);
    expect(w0.events[0]).toMatchObject({ type: 'ADDED', object: { metadata: { name: 'rv-a', resourceVersion: a.metadata.resourceVersion } } });
    expect(wUnset.events[0].type).toBe('ADDED');
    const wN = await openWatch(`${cluster.url}${ns}?watch=1&resourceVersion=${a.metadata.resourceVersion}&fieldSelector=metadata.name%3Drv-a`);
    const updated = await api(cluster.url, 'PUT', `${ns}/rv-a`, { ...a, data: { a: '2' } });
    await wN.until((e) => e.length >= 1);
    expect(wN.events.map((e) => [e.type, e.object.metadata.resourceVersion])).toEqual([['MODIFIED', updated.metadata.resourceVersion]]);
    for (const w of [w0, wUnset, wN]) w.stop();
  });

  it('objects entering and leaving a label selector are ADDED and DELETED', async () => {
    const w = await openWatch(`${cluster.url}${ns}?watch=1&labelSelector=tier%3Dfront`);
    const o = await api(cluster.url, 'POST', ns, cm('sel', { tier: 'back' }));
    const front = await api(cluster.url, 'PUT', `${ns}/sel`, { ...o, metadata: { ...o.metadata, labels: { tier: 'front' } } });
    const back = await api(cluster.url, 'PUT', `${ns}/sel`, { ...front, metadata: { ...front.metadata, labels: { tier: 'back' } } });
    await w.until((e) => e.length >= 2);
    expect(w.events.map((e) => [e.type, e.object.metadata.resourceVersion])).toEqual([
      ['ADDED', front.metadata.resourceVersion], ['DELETED', back.metadata.resourceVersion],
    ]);
    w.stop();
  });

  it('a resourceVersion older than the history is 410 Expired as an ERROR event', async () => {
    const first = await api(cluster.url, 'POST', ns, cm('old-0'));
    for (let i = 1; i <= 60; i++) await api(cluster.url, 'POST', ns, cm(`old-${i}`));
    const w = await openWatch(`${cluster.url}${ns}?watch=1&resourceVersion=${first.metadata.resourceVersion}`);
    await w.closed;
    expect(w.events).toHaveLength(1);
    expect(w.events[0]).toMatchObject({ type: 'ERROR', object: { kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 } });
    expect(w.events[0].object.message).toMatch(/^too old resource version: \d+ \(\d+\)$/);
  });

  it('sendInitialEvents ends the initial events with the initial-events-end bookmark', async () => {
    await api(cluster.url, 'POST', ns, cm('init-1', { batch: 'init' }));
    await api(cluster.url, 'POST', ns, cm('init-2', { batch: 'init' }));
    const w = await openWatch(`${cluster.url}${ns}?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&labelSelector=batch%3Dinit`);
    await w.until((e) => e.some((x) => x.type === 'BOOKMARK'));
    const types = w.events.map((e) => e.type);
    expect(types.slice(0, 3)).toEqual(['ADDED', 'ADDED', 'BOOKMARK']);
    expect(w.events[2].object.metadata.annotations).toEqual({ 'k8s.io/initial-events-end': 'true' });
    const listRV = (await api(cluster.url, 'GET', ns)).metadata.resourceVersion;
    expect(Number(w.events[2].object.metadata.resourceVersion)).toBeLessThanOrEqual(Number(listRV));
    w.stop();
  });

  it('invalid sendInitialEvents combinations are 422', async () => {
    for (const q of ['sendInitialEvents=true', 'sendInitialEvents=true&resourceVersionMatch=NotOlderThan', 'resourceVersionMatch=NotOlderThan']) {
      const res = await fetch(`${cluster.url}${ns}?watch=1&${q}`);
      expect(res.status).toBe(422);
      expect((await res.json()).reason).toBe('Invalid');
    }
  });

  it('sends periodic bookmarks with allowWatchBookmarks, and timeoutSeconds ends the stream', async () => {
    const w = await openWatch(`${cluster.url}${ns}?watch=1&resourceVersion=0&allowWatchBookmarks=true&timeoutSeconds=3&fieldSelector=metadata.name%3Dnothing-here`);
    await w.until((e) => e.some((x) => x.type === 'BOOKMARK'), 'a periodic bookmark');
    const b = w.events.find((x) => x.type === 'BOOKMARK')!;
    expect(b.object).toMatchObject({ kind: 'ConfigMap', apiVersion: 'v1' });
    expect(Number(b.object.metadata.resourceVersion)).toBeGreaterThan(0);
    await w.closed;
  });

  it('a watch on one object by path', async () => {
    await api(cluster.url, 'POST', ns, cm('single'));
    const w = await openWatch(`${cluster.url}/api/v1/watch/namespaces/default/configmaps/single`);
    await api(cluster.url, 'DELETE', `${ns}/single`);
    await w.until((e) => e.some((x) => x.type === 'DELETED'));
    expect(w.events.map((e) => e.type)).toEqual(['ADDED', 'DELETED']);
    expect(w.events.every((e) => e.object.metadata.name === 'single')).toBe(true);
    w.stop();
  });
});

describe('list', () => {
  it('pages form one consistent snapshot, with remainingItemCount', async () => {
    await api(cluster.url, 'POST', '/api/v1/namespaces', { metadata: { name: 'pages' } });
    for (let i = 0; i < 7; i++) await api(cluster.url, 'POST', '/api/v1/namespaces/pages/configmaps', cm(`p-${i}`));
    const first = await api(cluster.url, 'GET', '/api/v1/namespaces/pages/configmaps?limit=3');
    expect(first.items.map((o: any) => o.metadata.name)).toEqual(['p-0', 'p-1', 'p-2']);
    expect(first.metadata.remainingItemCount).toBe(4);
    // Writes between pages do not show up in later pages.
    await api(cluster.url, 'POST', '/api/v1/namespaces/pages/configmaps', cm('p-5a'));
    await api(cluster.url, 'DELETE', '/api/v1/namespaces/pages/configmaps/p-6');
    const second = await api(cluster.url, 'GET', `/api/v1/namespaces/pages/configmaps?limit=3&continue=${encodeURIComponent(first.metadata.continue)}`);
    expect(second.items.map((o: any) => o.metadata.name)).toEqual(['p-3', 'p-4', 'p-5']);
    expect(second.metadata.resourceVersion).toBe(first.metadata.resourceVersion);
    const third = await api(cluster.url, 'GET', `/api/v1/namespaces/pages/configmaps?limit=3&continue=${encodeURIComponent(second.metadata.continue)}`);
    expect(third.items.map((o: any) => o.metadata.name)).toEqual(['p-6']);
    expect(third.metadata.continue).toBeUndefined();
  });

  it('an expired continue token is 410 with a fresh token', async () => {
    const first = await api(cluster.url, 'GET', '/api/v1/namespaces/pages/configmaps?limit=2');
    await api(cluster.url, 'POST', '/api/v1/namespaces/pages/configmaps', cm('compact-me'));
    const client = new Etcd3({ hosts: cluster.etcd.url });
    const rev = Number((await client.kv.range({ key: Buffer.from('x'), count_only: true })).header.revision);
    await client.kv.compact({ revision: rev, physical: true });
    client.close();
    const res = await fetch(`${cluster.url}/api/v1/namespaces/pages/configmaps?limit=2&continue=${encodeURIComponent(first.metadata.continue)}`);
    expect(res.status).toBe(410);
    const status = await res.json();
    expect(status).toMatchObject({ reason: 'Expired', code: 410 });
    expect(status.metadata.continue).toBeTruthy();
    const resumed = await api(cluster.url, 'GET', `/api/v1/namespaces/pages/configmaps?limit=100&continue=${encodeURIComponent(status.metadata.continue)}`);
    expect(resumed.items[0].metadata.name).toBe('p-2');
  });

  it('label selector operators, field selectors and bad selectors', async () => {
    await api(cluster.url, 'POST', '/api/v1/namespaces', { metadata: { name: 'sels' } });
    const put = (name: string, labels: Record<string, string>) => api(cluster.url, 'POST', '/api/v1/namespaces/sels/configmaps', cm(name, labels));
    await put('a', { env: 'prod', tier: 'front' });
    await put('b', { env: 'dev', tier: 'front' });
    await put('c', { env: 'prod' });
    const names = async (q: string) => (await api(cluster.url, 'GET', `/api/v1/namespaces/sels/configmaps?${q}`)).items.map((o: any) => o.metadata.name);
    expect(await names('labelSelector=env%3Dprod')).toEqual(['a', 'c']);
    expect(await names('labelSelector=env%3D%3Dprod')).toEqual(['a', 'c']);
    expect(await names('labelSelector=env!%3Dprod')).toEqual(['b']);
    expect(await names(`labelSelector=${encodeURIComponent('env in (dev,test)')}`)).toEqual(['b']);
    expect(await names(`labelSelector=${encodeURIComponent('env notin (dev)')}`)).toEqual(['a', 'c']);
    expect(await names('labelSelector=tier')).toEqual(['a', 'b']);
    expect(await names('labelSelector=!tier')).toEqual(['c']);
    expect(await names('fieldSelector=metadata.name%3Db')).toEqual(['b']);
    expect(await names('fieldSelector=metadata.name!%3Db')).toEqual(['a', 'c']);
    expect((await fetch(`${cluster.url}/api/v1/namespaces/sels/configmaps?labelSelector=${encodeURIComponent('env in (')}`)).status).toBe(400);
    const badField = await fetch(`${cluster.url}/api/v1/namespaces/sels/configmaps?fieldSelector=spec.nope%3Dx`);
    expect(badField.status).toBe(400);
    expect((await badField.json()).message).toBe('field label not supported: spec.nope');
    const pods = await fetch(`${cluster.url}/api/v1/pods?fieldSelector=status.phase%3DRunning,spec.nodeName%3Dn1`);
    expect(pods.status).toBe(200);
  });

  it('resourceVersion=0 and resourceVersionMatch=Exact', async () => {
    const a = await api(cluster.url, 'POST', '/api/v1/namespaces/sels/configmaps', cm('exact-1'));
    await api(cluster.url, 'POST', '/api/v1/namespaces/sels/configmaps', cm('exact-2'));
    const exact = await api(cluster.url, 'GET', `/api/v1/namespaces/sels/configmaps?resourceVersion=${a.metadata.resourceVersion}&resourceVersionMatch=Exact`);
    expect(exact.metadata.resourceVersion).toBe(a.metadata.resourceVersion);
    expect(exact.items.map((o: any) => o.metadata.name)).toContain('exact-1');
    expect(exact.items.map((o: any) => o.metadata.name)).not.toContain('exact-2');
    const zero = await api(cluster.url, 'GET', '/api/v1/namespaces/sels/configmaps?resourceVersion=0');
    expect(zero.kind).toBe('ConfigMapList');
    const bad = await fetch(`${cluster.url}/api/v1/namespaces/sels/configmaps?resourceVersionMatch=Exact`);
    expect(bad.status).toBe(422);
  });
});
