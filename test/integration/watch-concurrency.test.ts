// Many writers and many watchers at once: every watcher sees every event of its selection exactly
// once, in resourceVersion order, and ends with the state a final LIST shows.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { api, openWatch, type WatchEvent } from '../support/watch.js';

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startCluster(1);
  for (const ns of ['w1', 'w2']) await api(cluster.url, 'POST', '/api/v1/namespaces', { metadata: { name: ns } });
});
afterAll(async () => {
  await cluster?.stop();
});

interface Selection { name: string; ns?: string; color?: string }
const selections: Selection[] = [
  { name: 'all' }, { name: 'all-2' }, { name: 'w1', ns: 'w1' }, { name: 'w2', ns: 'w2' },
  { name: 'red', color: 'red' }, { name: 'blue', color: 'blue' }, { name: 'w1-red', ns: 'w1', color: 'red' },
  { name: 'w2-blue', ns: 'w2', color: 'blue' }, { name: 'w1-blue', ns: 'w1', color: 'blue' }, { name: 'w2-red', ns: 'w2', color: 'red' },
];
const matches = (s: Selection, o: any) => (!s.ns || o.metadata.namespace === s.ns) && (!s.color || o.metadata.labels?.color === s.color);
const path = (s: Selection) => `${s.ns ? `/api/v1/namespaces/${s.ns}` : '/api/v1'}/configmaps`;
const key = (o: any) => `${o.metadata.namespace}/${o.metadata.name}`;

/** What a watcher with selection `s` must see, derived from the unfiltered event stream. */
function expectedFor(s: Selection, all: WatchEvent[], initial: Map<string, any>): Array<[string, string, string]> {
  const inSel = new Map<string, boolean>();
  for (const [k, o] of initial) inSel.set(k, matches(s, o));
  const out: Array<[string, string, string]> = [];
  for (const e of all) {
    const k = key(e.object);
    const was = inSel.get(k) ?? false;
    const now = e.type !== 'DELETED' && matches(s, e.object);
    const rv = e.object.metadata.resourceVersion;
    if (e.type === 'DELETED') {
      if (was) out.push(['DELETED', k, rv]);
    } else if (was && now) out.push(['MODIFIED', k, rv]);
    else if (now) out.push(['ADDED', k, rv]);
    else if (was) out.push(['DELETED', k, rv]);
    inSel.set(k, now);
  }
  return out;
}

it('every watcher sees its selection exactly once, in order', async () => {
  const start = await api(cluster.url, 'GET', '/api/v1/configmaps');
  const from = start.metadata.resourceVersion;
  const initial = new Map<string, any>(start.items.map((o: any) => [key(o), o]));
  const watchers = await Promise.all(selections.map((s) => {
    const q = new URLSearchParams({ watch: 'true', resourceVersion: from });
    if (s.color) q.set('labelSelector', `color=${s.color}`);
    return openWatch(`${cluster.url}${path(s)}?${q}`);
  }));

  // 8 writers, 25 operations each: creates, label flips between red and blue, data updates, deletes.
  const colors = ['red', 'blue'];
  await Promise.all(Array.from({ length: 8 }, async (_, w) => {
    const ns = w % 2 ? 'w1' : 'w2';
    const names: string[] = [];
    for (let i = 0; i < 25; i++) {
      const op = i % 5;
      if (op === 0 || names.length === 0) {
        const name = `cm-${w}-${i}`;
        await api(cluster.url, 'POST', `/api/v1/namespaces/${ns}/configmaps`, { metadata: { name, labels: { color: colors[i % 2] } }, data: { v: '0' } });
        names.push(name);
      } else if (op === 4 && names.length > 1) {
        await api(cluster.url, 'DELETE', `/api/v1/namespaces/${ns}/configmaps/${names.shift()}`);
      } else {
        const name = names[i % names.length];
        const cur = await api(cluster.url, 'GET', `/api/v1/namespaces/${ns}/configmaps/${name}`);
        cur.metadata.labels = { color: colors[(i + w) % 2] };
        cur.data = { v: String(i) };
        await api(cluster.url, 'PUT', `/api/v1/namespaces/${ns}/configmaps/${name}`, cur);
      }
    }
  }));
  // Sentinels, written last: a watcher that has seen those of its selection has seen everything before.
  const sentinels: any[] = [];
  for (const ns of ['w1', 'w2']) for (const color of colors) {
    sentinels.push(await api(cluster.url, 'POST', `/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: `zz-${color}`, labels: { color } } }));
  }
  const final = await api(cluster.url, 'GET', '/api/v1/configmaps');

  await Promise.all(watchers.map((wch, i) => {
    const want = sentinels.filter((o) => matches(selections[i], o)).map(key);
    return wch.until((evs) => want.every((k) => evs.some((e) => key(e.object) === k)), `sentinels of ${selections[i].name}`);
  }));

  const all = watchers[0].events;
  expect(all.length).toBeGreaterThan(200);
  for (const [i, s] of selections.entries()) {
    const got = watchers[i].events.map((e) => [e.type, key(e.object), e.object.metadata.resourceVersion] as [string, string, string]);
    // Ordered by resourceVersion, no duplicates, exactly what the selection should see.
    const rvs = got.map((g) => Number(g[2]));
    expect(rvs).toEqual([...rvs].sort((a, b) => a - b));
    expect(got).toEqual(expectedFor(s, all, initial));
    // The state the watcher builds equals a final LIST of its selection.
    const state = new Map<string, string>();
    for (const [k, o] of initial) if (matches(s, o)) state.set(k, o.metadata.resourceVersion);
    for (const e of watchers[i].events) {
      if (e.type === 'DELETED') state.delete(key(e.object));
      else state.set(key(e.object), e.object.metadata.resourceVersion);
    }
    const listed = new Map<string, string>(final.items.filter((o: any) => matches(s, o)).map((o: any) => [key(o), o.metadata.resourceVersion]));
    expect(state).toEqual(listed);
  }
  // The unfiltered watchers agree with each other.
  expect(watchers[1].events.map((e) => e.object.metadata.resourceVersion)).toEqual(all.map((e) => e.object.metadata.resourceVersion));
  for (const w of watchers) w.stop();
});
