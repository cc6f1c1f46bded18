// What the Redis watch fan-out saves etcd: the same load (writes through one instance, a watch and
// consistent LISTs on every instance) against N instances with each instance watching etcd itself
// (`etcd` mode) and with the elected publisher's one watch fanned out through Redis (`redis` mode).
// Prints etcd's own counts (watchers, watch streams, Range RPCs) and CPU, and saves them.
//   node dist/bench/fanout.js [--instances 3] [--seconds 10] [--writes-per-second 50] [--lists-per-second 20] [--out bench/results]
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cpuSeconds, repoRoot, startApiServer, startEtcd, startRedis, runMain, stopAll } from './runner/processes.js';
import { parseFlags } from './runner/flags.js';

interface Options { instances: number; seconds: number; writesPerSecond: number; listsPerSecond: number; out: string }

function parseOptions(argv: string[]): Options {
  return parseFlags<Options>(argv, { instances: 3, seconds: 10, writesPerSecond: 50, listsPerSecond: 20, out: path.join(repoRoot, 'bench/results') },
    { '--instances': 'instances', '--seconds': 'seconds', '--writes-per-second': 'writesPerSecond', '--lists-per-second': 'listsPerSecond', '--out': 'out' }, ['out']);
}

async function etcdMetrics(url: string): Promise<{ watchers: number; streams: number; ranges: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const one = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
  let ranges = 0;
  for (const m of text.matchAll(/^grpc_server_handled_total\{[^}]*grpc_method="Range"[^}]*\} (\d+)/gm)) ranges += Number(m[1]);
  return { watchers: one(/^etcd_debugging_mvcc_watcher_total (\d+)/m), streams: one(/^etcd_debugging_mvcc_watch_stream_total (\d+)/m), ranges };
}

async function feedModes(urls: string[]): Promise<string[]> {
  return Promise.all(urls.map(async (u) => /kube_apiserver_ts_watch_feed_mode\{mode="(\w+)"\} 1/.exec(await (await fetch(`${u}/metrics`)).text())?.[1] ?? '?'));
}

async function run(mode: 'etcd' | 'redis', o: Options) {
  const etcd = await startEtcd();
  const redis = mode === 'redis' ? await startRedis() : undefined;
  const servers = [];
  for (let i = 0; i < o.instances; i++) servers.push(await startApiServer(etcd.url, redis ? [`--redis-url=${redis.url}`, `--instance-name=bench-${i}`] : []));
  const urls = servers.map((s) => s.url);
  for (let i = 0; i < 300 && (await feedModes(urls)).some((m) => m !== mode); i++) await new Promise((r) => setTimeout(r, 100));
  const modes = await feedModes(urls);
  const ns = `/api/v1/namespaces/default/configmaps`;
  const watches = urls.map((u) => fetch(`${u}${ns}?watch=true&resourceVersion=0`).then(async (res) => {
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffered = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += decoder.decode(value, { stream: true });
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      watchCounts[urls.indexOf(u)] += lines.filter((l) => l.trim().startsWith('{')).length;
    }
  }).catch(() => undefined));
  const watchCounts: number[] = urls.map(() => 0);
  await new Promise((r) => setTimeout(r, 500));
  const before = await etcdMetrics(etcd.url);
  const cpuBefore = cpuSeconds(etcd.pid);
  const end = Date.now() + o.seconds * 1000;
  let writes = 0;
  let lists = 0;
  const writer = (async () => {
    for (let t = Date.now(); t < end; t += 1000 / o.writesPerSecond) {
      await new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));
      await fetch(`${urls[0]}${ns}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ metadata: { generateName: `fan-${mode}-` }, data: { k: 'v' } }) });
      writes++;
    }
  })();
  const listers = urls.map(async (u) => {
    for (let t = Date.now(); t < end; t += 1000 / o.listsPerSecond) {
      await new Promise((r) => setTimeout(r, Math.max(0, t - Date.now())));
      await (await fetch(`${u}${ns}?limit=10`)).arrayBuffer();
      lists++;
    }
  });
  await Promise.all([writer, ...listers]);
  await new Promise((r) => setTimeout(r, 500));
  const after = await etcdMetrics(etcd.url);
  const etcdCpu = cpuSeconds(etcd.pid) - cpuBefore;
  const result = {
    mode, instances: o.instances, feedModes: modes, writes, consistentLists: lists,
    etcdWatchers: after.watchers, etcdWatchStreams: after.streams,
    etcdRangeRpcs: after.ranges - before.ranges, etcdRangeRpcsPerSecond: Math.round((after.ranges - before.ranges) / o.seconds),
    etcdCpuSeconds: Number(etcdCpu.toFixed(2)), watchEvents: [...watchCounts],
  };
  void watches;
  stopAll();
  return result;
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const results = [];
  for (const mode of ['etcd', 'redis'] as const) results.push(await run(mode, o));
  const lines = [
    `watch fan-out, ${o.instances} instances, ${o.seconds}s: ${o.writesPerSecond} writes/s through one instance, a watch and ${o.listsPerSecond} consistent LISTs/s on each`,
    'mode   feeds               etcd watchers  watch streams  Range RPCs/s  etcd CPU s  events per watcher',
    ...results.map((r) => `${r.mode.padEnd(6)} ${r.feedModes.join(',').padEnd(19)} ${String(r.etcdWatchers).padStart(13)}  ${String(r.etcdWatchStreams).padStart(13)}  ${String(r.etcdRangeRpcsPerSecond).padStart(12)}  ${String(r.etcdCpuSeconds).padStart(10)}  ${r.watchEvents.join(',')}`),
  ];
  console.log(lines.join('\n'));
  mkdirSync(o.out, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  writeFileSync(path.join(o.out, `fanout-${stamp}.json`), JSON.stringify({ options: o, results }, null, 2) + '\n');
  writeFileSync(path.join(o.out, 'fanout-latest.txt'), `${new Date().toISOString()}  node dist/bench/fanout.js\n${lines.join('\n')}\n`);
}

runMain(main);
