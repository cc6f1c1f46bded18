// Watches through the load balancer: a watch survives a kill -9 of the instance serving it with no
// gap and no duplicate, a restarted instance takes back a share of the watches, Table watches keep
// one header, a resume that is too old ends with kube's ERROR event, and WebSocket watches pass through.
import { afterAll, beforeAll, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type ApiServerProcess, startApiServer, startCluster, type TestCluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { type LbProcess, startLb } from '../support/lb.js';
import { api, openWatch, type WatchStream } from '../support/watch.js';

let cluster: TestCluster;
let lb: LbProcess;
beforeAll(async () => {
  cluster = await startCluster(3);
  lb = await startLb(cluster.apiservers.map((a) => a.url));
});
afterAll(async () => {
  await lb?.stop();
  await cluster?.stop();
});

const ns = '/api/v1/namespaces/default';

/** The instance holding `n` more open watches than before, by the LB's stats. */
async function backendsWithWatches(): Promise<Map<string, number>> {
  const s = await lb.stats();
  return new Map(s.backends.map((b: any) => [b.url, b.openWatches]));
}

function instanceAt(url: string): ApiServerProcess {
  return cluster.apiservers.find((a) => a.url === url)!;
}

async function killAndRestart(victim: ApiServerProcess): Promise<ApiServerProcess> {
  victim.process.kill('SIGKILL');
  await new Promise((r) => victim.process.once('exit', r));
  return victim;
}

/** Creates with a fixed name until it is known to exist exactly once (a failed POST may or may not have landed). */
async function createThroughLb(path: string, name: string, labels: Record<string, string> = {}): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const res = await fetch(`${lb.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ metadata: { name, labels } }) });
    if (res.status === 201 || res.status === 409) return;
    await fetch(`${lb.url}${path}/${name}`).then(async (r) => {
      if (r.status === 200) i = 1000;
    });
    if (i >= 1000) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`could not create ${name}`);
}

function eventKeys(w: WatchStream): string[] {
  return w.events.map((e) => `${e.type} ${e.object.metadata.name} ${e.object.metadata.resourceVersion}`);
}

async function expectedAdds(path: string, prefix: string): Promise<string[]> {
  const listed = await api(lb.url, 'GET', path);
  return listed.items
    .filter((o: any) => o.metadata.name.startsWith(prefix))
    .sort((a: any, b: any) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion))
    .map((o: any) => `ADDED ${o.metadata.name} ${o.metadata.resourceVersion}`);
}

it('a watch continues across a kill -9 of its instance with no gap and no duplicate', async () => {
  const path = `${ns}/configmaps`;
  const from = (await api(lb.url, 'GET', path)).metadata.resourceVersion;
  const before = await backendsWithWatches();
  const w = await openWatch(`${lb.url}${path}?watch=1&resourceVersion=${from}`);
  await lb.waitFor((s) => s.watches.open === 1, 'the watch open');
  const after = await backendsWithWatches();
  const holder = [...after].find(([url, n]) => n > (before.get(url) ?? 0))![0];
  const N = 60;
  for (let i = 0; i < N; i++) {
    if (i === 20) await killAndRestart(instanceAt(holder));
    await createThroughLb(path, `kill-${i}`);
  }
  const expected = await expectedAdds(path, 'kill-');
  expect(expected).toHaveLength(N);
  await w.until((e) => e.length >= N, `${N} events`);
  // A moment for any duplicate to show up.
  await createThroughLb(path, 'kill-sentinel');
  await w.until((e) => e.some((x) => x.object.metadata.name === 'kill-sentinel'), 'the sentinel');
  expect(eventKeys(w).slice(0, N)).toEqual(expected);
  expect(w.events).toHaveLength(N + 1);
  const stats = await lb.stats();
  expect(stats.watches.resumed).toBeGreaterThanOrEqual(1);
  expect(stats.backends.find((b: any) => b.url === holder).state).toBe('ejected');
  w.stop();
  // Bring the instance back for the next tests.
  const i = cluster.apiservers.findIndex((a) => a.url === holder);
  cluster.apiservers[i] = await startApiServer(cluster.etcd.url, [], {}, Number(new URL(holder).port));
  await lb.waitFor((s) => s.backends.every((b: any) => b.state === 'healthy'), 'the instance back');
});

it('a watch-list (sendInitialEvents) continues after its initial-events-end bookmark, also across a graceful stop', async () => {
  const path = `${ns}/limitranges`;
  for (let i = 0; i < 3; i++) await createThroughLb(path, `wl-${i}`);
  const before = await backendsWithWatches();
  const w = await openWatch(`${lb.url}${path}?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`);
  await w.until((e) => e.some((x) => x.type === 'BOOKMARK'), 'the initial-events-end bookmark');
  expect(w.events.map((e) => e.type)).toEqual(['ADDED', 'ADDED', 'ADDED', 'BOOKMARK']);
  const holder = [...(await backendsWithWatches())].find(([url, n]) => n > (before.get(url) ?? 0))![0];
  const victim = instanceAt(holder);
  // SIGTERM this time: the instance ends its watches itself; the LB must carry on, not hand the end to the client.
  await victim.stop();
  for (let i = 3; i < 8; i++) await createThroughLb(path, `wl-${i}`);
  await w.until((e) => e.length >= 9, 'five more events');
  const adds = await expectedAdds(path, 'wl-');
  expect(eventKeys(w).filter((k) => k.startsWith('ADDED')).slice(3)).toEqual(adds.slice(3));
  expect(w.events).toHaveLength(9);
  w.stop();
  const i = cluster.apiservers.findIndex((a) => a.url === holder);
  cluster.apiservers[i] = await startApiServer(cluster.etcd.url, [], {}, victim.port);
  await lb.waitFor((s) => s.backends.every((b: any) => b.state === 'healthy'), 'the instance back');
});

it('a watch from "now" cannot be resumed before its first bookmark: its stream ends cleanly', async () => {
  const path = `${ns}/resourcequotas`;
  const before = await backendsWithWatches();
  const w = await openWatch(`${lb.url}${path}?watch=1`);
  await lb.waitFor((s) => s.watches.open === 1, 'the watch open');
  const holder = [...(await backendsWithWatches())].find(([url, n]) => n > (before.get(url) ?? 0))![0];
  const victim = instanceAt(holder);
  await killAndRestart(victim);
  await w.closed;
  const i = cluster.apiservers.findIndex((a) => a.url === holder);
  cluster.apiservers[i] = await startApiServer(cluster.etcd.url, [], {}, victim.port);
  await lb.waitFor((s) => s.backends.every((b: any) => b.state === 'healthy'), 'the instance back');
});

it('a watch from "now" is resumed once a bookmark the LB asked for has passed, and the client sees no bookmark', async () => {
  const quick = await startCluster(2, ['--watch-bookmark-interval=1s']);
  const quickLb = await startLb(quick.apiservers.map((a) => a.url));
  try {
    const path = `${ns}/configmaps`;
    const w = await openWatch(`${quickLb.url}${path}?watch=1`);
    await quickLb.waitFor((s) => s.watches.open === 1, 'the watch open');
    const holder = (await quickLb.stats()).backends.find((b: any) => b.openWatches === 1).url;
    await api(quickLb.url, 'POST', path, { metadata: { name: 'now-0' } });
    // Past one bookmark interval: the LB has had a bookmark and can resume.
    await new Promise((r) => setTimeout(r, 1500));
    quick.apiservers.find((a) => a.url === holder)!.process.kill('SIGKILL');
    for (let i = 1; i < 4; i++) {
      for (;;) {
        const res = await fetch(`${quickLb.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ metadata: { name: `now-${i}` } }) });
        if (res.status === 201 || res.status === 409) break;
      }
    }
    await w.until((e) => e.length >= 4, 'four events');
    expect(w.events.map((e) => `${e.type} ${e.object.metadata.name}`)).toEqual(['ADDED now-0', 'ADDED now-1', 'ADDED now-2', 'ADDED now-3']);
    expect((await quickLb.stats()).watches.resumed).toBe(1);
    w.stop();
  } finally {
    await quickLb.stop();
    await quick.stop();
  }
});

it('a restarted instance gets a share of the watches, and the moved watches lose nothing', async () => {
  const path = `${ns}/secrets`;
  const from = (await api(lb.url, 'GET', path)).metadata.resourceVersion;
  const watches: WatchStream[] = [];
  for (let i = 0; i < 9; i++) watches.push(await openWatch(`${lb.url}${path}?watch=1&resourceVersion=${from}`));
  await lb.waitFor((s) => s.watches.open === 9 && s.backends.every((b: any) => b.openWatches === 3), 'three watches per instance');
  const victim = cluster.apiservers[0];
  await killAndRestart(victim);
  await lb.waitFor((s) => s.backends.find((b: any) => b.url === victim.url).state === 'ejected', 'the victim ejected');
  await createThroughLb(path, 'move-0');
  await lb.waitFor((s) => s.backends.find((b: any) => b.url === victim.url).openWatches === 0
    && s.backends.reduce((n: number, b: any) => n + b.openWatches, 0) === 9, 'its watches resumed on the survivors');
  const movedBefore = (await lb.stats()).watches.moved;
  cluster.apiservers[0] = await startApiServer(cluster.etcd.url, [], {}, victim.port);
  await lb.waitFor((s) => s.backends.find((b: any) => b.url === victim.url).openWatches === 3, 'a share moved back to the restarted instance');
  const stats = await lb.stats();
  expect(stats.watches.moved - movedBefore).toBe(3);
  expect(stats.backends.map((b: any) => b.openWatches)).toEqual([3, 3, 3]);
  for (let i = 1; i < 6; i++) await createThroughLb(path, `move-${i}`);
  const expected = await expectedAdds(path, 'move-');
  for (const w of watches) {
    await w.until((e) => e.length >= 6, 'six events');
    expect(eventKeys(w)).toEqual(expected);
    w.stop();
  }
});

it('a Table watch (kubectl get -w) carries on across a kill with the column header sent once', async () => {
  const path = `${ns}/serviceaccounts`;
  const from = (await api(lb.url, 'GET', path)).metadata.resourceVersion;
  const before = await backendsWithWatches();
  const controller = new AbortController();
  const res = await fetch(`${lb.url}${path}?watch=1&resourceVersion=${from}`, { signal: controller.signal, headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' } });
  expect(res.headers.get('content-type')).toContain('as=Table');
  const lines: any[] = [];
  const reading = (async () => {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body as any) {
        buf += decoder.decode(chunk, { stream: true });
        let nl: number;
        while ((nl = buf.indexOf('\n')) >= 0) {
          lines.push(JSON.parse(buf.slice(0, nl)));
          buf = buf.slice(nl + 1);
        }
      }
    } catch {
      // aborted
    }
  })();
  await lb.waitFor((s) => s.watches.open === 1, 'the table watch open');
  const holder = [...(await backendsWithWatches())].find(([url, n]) => n > (before.get(url) ?? 0))![0];
  await createThroughLb(path, 'table-0');
  await eventually(() => lines.length >= 1, { timeoutMs: 5000, intervalMs: 50, what: 'the first table row' });
  const victim = instanceAt(holder);
  await killAndRestart(victim);
  for (let i = 1; i < 5; i++) await createThroughLb(path, `table-${i}`);
  await eventually(() => lines.length >= 5, { timeoutMs: 10000, intervalMs: 50, what: 'five table rows' });
  const expected = (await expectedAdds(path, 'table-')).map((k) => k.split(' ').slice(1).join(' '));
  expect(lines.map((l) => `${l.object.rows[0].object.metadata.name} ${l.object.metadata.resourceVersion}`)).toEqual(expected);
  expect(lines.map((l) => l.object.columnDefinitions.length > 0)).toEqual([true, false, false, false, false]);
  controller.abort();
  await reading;
  const i = cluster.apiservers.findIndex((a) => a.url === holder);
  cluster.apiservers[i] = await startApiServer(cluster.etcd.url, [], {}, victim.port);
  await lb.waitFor((s) => s.backends.every((b: any) => b.state === 'healthy'), 'the instance back');
});

it('watches over WebSocket through the LB, one event per message, in order', async () => {
  const path = `${ns}/endpoints`;
  const from = (await api(lb.url, 'GET', path)).metadata.resourceVersion;
  const ws = new WebSocket(`${lb.url.replace('http', 'ws')}${path}?watch=1&resourceVersion=${from}`);
  const messages: any[] = [];
  ws.on('message', (m) => messages.push(JSON.parse(m.toString())));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  await lb.waitFor((s) => s.backends.some((b: any) => b.openTunnels === 1), 'the tunnel counted');
  for (let i = 0; i < 20; i++) await api(lb.url, 'POST', path, { metadata: { name: `ws-${i}` } });
  await eventually(() => messages.length >= 20, { timeoutMs: 5000, intervalMs: 25, what: 'twenty WebSocket messages' });
  expect(messages.map((m) => `${m.type} ${m.object.metadata.name}`)).toEqual(Array.from({ length: 20 }, (_, i) => `ADDED ws-${i}`));
  ws.close();
  await lb.waitFor((s) => s.backends.every((b: any) => b.openTunnels === 0), 'the tunnel closed');
});

it('a resume from a resourceVersion the instances no longer hold ends with an Expired ERROR event', async () => {
  // Its own small cluster: instances that keep a history of 3 events.
  const small = await startCluster(2, ['--watch-cache-history=3']);
  const smallLb = await startLb(small.apiservers.map((a) => a.url));
  try {
    const path = `${ns}/configmaps`;
    const from = (await api(smallLb.url, 'GET', path)).metadata.resourceVersion;
    const w = await openWatch(`${smallLb.url}${path}?watch=1&resourceVersion=${from}&labelSelector=never%3Dmatches`);
    await smallLb.waitFor((s) => s.watches.open === 1, 'the watch open');
    const holder = (await smallLb.stats()).backends.find((b: any) => b.openWatches === 1).url;
    for (let i = 0; i < 10; i++) await api(smallLb.url, 'POST', path, { metadata: { name: `old-${i}` } });
    const victim = small.apiservers.find((a) => a.url === holder)!;
    victim.process.kill('SIGKILL');
    await w.closed;
    expect(w.events).toHaveLength(1);
    expect(w.events[0].type).toBe('ERROR');
    expect(w.events[0].object).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Expired', code: 410 });
  } finally {
    await smallLb.stop();
    await small.stop();
  }
});

it('under creates, updates and deletes, across two kills in a row, the LB watch equals a direct watch event for event', async () => {
  // The reference watch is on an instance outside this LB; the LB fronts the other two, which are killed in turn.
  const [ref, x, y] = cluster.apiservers;
  const pair = await startLb([x.url, y.url]);
  try {
    await api(ref.url, 'POST', '/api/v1/namespaces', { metadata: { name: 'churn' } });
    const path = '/api/v1/namespaces/churn/configmaps';
    const from = (await api(ref.url, 'GET', path)).metadata.resourceVersion;
    const direct = await openWatch(`${ref.url}${path}?watch=1&resourceVersion=${from}&allowWatchBookmarks=true`);
    const viaLb = await openWatch(`${pair.url}${path}?watch=1&resourceVersion=${from}&allowWatchBookmarks=true`);
    await pair.waitFor((s) => s.watches.open === 1, 'the watch open');
    const template = (name: string, v: number) => ({ metadata: { name, labels: { v: String(v) } }, data: { v: String(v) } });
    let writes = 0;
    let writing = true;
    const writer = (async () => {
      for (let i = 0; writing; i++) {
        const name = `churn-${i % 7}`;
        const got = await fetch(`${ref.url}${path}/${name}`);
        if (got.status === 404) await api(ref.url, 'POST', path, template(name, i));
        else if (i % 3 === 0) await api(ref.url, 'DELETE', `${path}/${name}`);
        else await api(ref.url, 'PUT', `${path}/${name}`, template(name, i));
        writes++;
      }
    })();
    const holder = async () => (await pair.stats()).backends.find((b: any) => b.openWatches === 1)?.url as string | undefined;
    for (let round = 0; round < 2; round++) {
      await new Promise((r) => setTimeout(r, 400));
      let url: string | undefined;
      await eventually(async () => (url = await holder()) !== undefined, { timeoutMs: 2000, intervalMs: 20, what: 'the instance holding the watch' });
      const victim = cluster.apiservers.find((a) => a.url === url)!;
      await killAndRestart(victim);
      const at = cluster.apiservers.indexOf(victim);
      cluster.apiservers[at] = await startApiServer(cluster.etcd.url, [], {}, victim.port);
      await pair.waitFor((s) => s.backends.every((b: any) => b.state === 'healthy'), 'the instance back');
    }
    await new Promise((r) => setTimeout(r, 400));
    writing = false;
    await writer;
    const last = (await api(ref.url, 'GET', path)).metadata.resourceVersion;
    const reached = (w: WatchStream) => w.events.some((e) => Number(e.object.metadata.resourceVersion) >= Number(last));
    await api(ref.url, 'POST', path, template('churn-end', 0));
    await direct.until((e) => e.some((x) => x.object.metadata.name === 'churn-end'), 'the end marker (direct)');
    await viaLb.until((e) => e.some((x) => x.object.metadata.name === 'churn-end'), 'the end marker (through the LB)');
    const changes = (w: WatchStream) => w.events.filter((e) => e.type !== 'BOOKMARK').map((e) => `${e.type} ${e.object.metadata.name} ${e.object.metadata.resourceVersion}`);
    expect(reached(direct)).toBe(true);
    expect(writes).toBeGreaterThan(10);
    expect(changes(viaLb)).toEqual(changes(direct));
    expect(new Set(changes(direct).map((c) => c.split(' ')[0]))).toEqual(new Set(['ADDED', 'MODIFIED', 'DELETED']));
    expect((await pair.stats()).watches.resumed).toBeGreaterThanOrEqual(2);
    direct.stop();
    viaLb.stop();
  } finally {
    await pair.stop();
  }
});
