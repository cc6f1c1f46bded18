// Core benchmark: GET, LIST (100 and 1000 objects) and CREATE through the API server, beside raw
// etcd3 reads and writes of the same data, measured in one run. Prints a table and saves figures
// under bench/results/.   npm run bench -- [--concurrency 16] [--duration-seconds 5] [--out bench/results]
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Etcd3 } from 'etcd3';
import { fetchRequest, request } from './runner/http.js';
import { cpuSeconds, etcdVersion, repoRoot, startApiServer, startEtcd, runMain } from './runner/processes.js';
import { type Figures, runFor, sequence } from './runner/stats.js';

interface Options { concurrency: number; seconds: number; out: string }

function parseOptions(argv: string[]): Options {
  const o: Options = { concurrency: 16, seconds: 5, out: path.join(repoRoot, 'bench/results') };
  for (let i = 0; i < argv.length; i++) {
    const [k, inline] = argv[i].split(/=(.*)/s, 2);
    const v = () => inline ?? argv[++i];
    if (k === '--concurrency') o.concurrency = Number(v());
    else if (k === '--duration-seconds') o.seconds = Number(v());
    else if (k === '--out') o.out = path.resolve(v());
    else if (k === '--help' || k === '-h') {
      console.log('usage: node dist/bench/core.js [--concurrency 16] [--duration-seconds 5] [--out bench/results]');
      process.exit(0);
    } else throw new Error(`unknown option ${argv[i]}`);
  }
  if (!(o.concurrency >= 1) || !(o.seconds > 0)) throw new Error('--concurrency and --duration-seconds must be positive');
  return o;
}

/** CPU seconds each process spent during one measured run; the machine is shared, so this says who was busy. */
interface Cpu { apiserver: number; etcd: number; benchClient: number }
interface Side extends Figures { cpuSeconds: Cpu }
interface CaseResult { case: string; apiserver: Side; etcd: Side; ratio: { opsPerSecond: number; p50: number; p99: number } }

// A realistic ConfigMap: a few labels and annotations and ~1 KiB of data in two keys.
const properties = Array.from({ length: 24 }, (_, i) => `setting.${String(i).padStart(2, '0')}=value-${'v'.repeat(20)}`).join('\n');
const configMap = (ns: string, name: string) => JSON.stringify({
  apiVersion: 'v1', kind: 'ConfigMap',
  metadata: { name, namespace: ns, labels: { app: 'bench', tier: 'backend', bench: 'core' }, annotations: { 'bench.example.com/owner': 'core-benchmark' } },
  data: { 'app.properties': properties, 'mode': 'production' },
});

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const etcd = await startEtcd();
  const api = await startApiServer(etcd.url);
  const client = new Etcd3({ hosts: etcd.url });
  console.log(`apiserver ${api.url} (pid ${api.pid}) on etcd ${etcd.url} (pid ${etcd.pid}); concurrency ${opts.concurrency}, ${opts.seconds}s per case and side`);

  // Data: namespaces holding 1, 100 and 1000 configmaps, written through the API server.
  for (const ns of ['bench-get', 'bench-list-100', 'bench-list-1000', 'bench-create']) {
    await request(api.url, 'POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }));
  }
  const fill = async (ns: string, n: number) => {
    const next = sequence();
    await Promise.all(Array.from({ length: 16 }, async () => {
      for (let i = next(); i < n; i = next()) {
        await request(api.url, 'POST', `/api/v1/namespaces/${ns}/configmaps`, configMap(ns, `cm-${String(i).padStart(5, '0')}`));
      }
    }));
  };
  await fill('bench-get', 1);
  await fill('bench-list-100', 100);
  await fill('bench-list-1000', 1000);

  // The raw side reads the keys the API server wrote and writes the same bytes it stores.
  const stored = await client.get('/registry/configmaps/bench-get/cm-00000').buffer();
  if (!stored) throw new Error('configmap not found under /registry/configmaps/: the storage layout changed');
  for (const [ns, n] of [['bench-list-100', 100], ['bench-list-1000', 1000]] as const) {
    const count = await client.getAll().prefix(`/registry/configmaps/${ns}/`).count();
    if (count !== n) throw new Error(`${ns}: ${count} keys in etcd, expected ${n}`);
  }
  console.log(`data: 1 + 100 + 1000 configmaps, ${stored.length} bytes each in etcd`);

  const results: CaseResult[] = [];
  const side = async (op: (i: number) => Promise<void>, next: () => number): Promise<Side> => {
    const before = { a: cpuSeconds(api.pid), e: cpuSeconds(etcd.pid), c: process.cpuUsage() };
    const figures = await runFor(opts.seconds, opts.concurrency, op, next);
    const c = process.cpuUsage(before.c);
    const cpu = { apiserver: cpuSeconds(api.pid) - before.a, etcd: cpuSeconds(etcd.pid) - before.e, benchClient: (c.user + c.system) / 1e6 };
    return { ...figures, cpuSeconds: cpu };
  };
  const measure = async (name: string, viaApi: (i: number) => Promise<void>, viaEtcd: (i: number) => Promise<void>) => {
    // One sequence per side across warm-up and measurement, so CREATE never reuses a name.
    const apiNext = sequence();
    const etcdNext = sequence();
    await runFor(1, opts.concurrency, viaApi, apiNext);
    await runFor(1, opts.concurrency, viaEtcd, etcdNext);
    const a = await side(viaApi, apiNext);
    const e = await side(viaEtcd, etcdNext);
    results.push({ case: name, apiserver: a, etcd: e, ratio: { opsPerSecond: a.opsPerSecond / e.opsPerSecond, p50: a.p50ms / e.p50ms, p99: a.p99ms / e.p99ms } });
    console.log(`  ${name}: apiserver ${a.opsPerSecond.toFixed(0)}/s, etcd ${e.opsPerSecond.toFixed(0)}/s${a.errors + e.errors ? ` ERRORS ${a.errors}/${e.errors}: ${a.firstError ?? e.firstError}` : ''}`);
  };

  const expectKeys = (n: number) => (kvs: Record<string, Buffer>) => {
    if (Object.keys(kvs).length !== n) throw new Error(`range returned ${Object.keys(kvs).length} keys, expected ${n}`);
  };
  await measure('GET one object',
    async () => void await request(api.url, 'GET', '/api/v1/namespaces/bench-get/configmaps/cm-00000'),
    async () => {
      if (!await client.get('/registry/configmaps/bench-get/cm-00000').buffer()) throw new Error('key missing');
    });
  // Same GET through undici fetch, to record which HTTP client is faster here.
  const viaFetch = await (async () => {
    const next = sequence();
    const op = async () => void await fetchRequest(api.url, 'GET', '/api/v1/namespaces/bench-get/configmaps/cm-00000');
    await runFor(1, opts.concurrency, op, next);
    return side(op, next);
  })();
  console.log(`  GET one object via fetch: ${viaFetch.opsPerSecond.toFixed(0)}/s`);
  await measure('LIST 100 objects',
    async () => void await request(api.url, 'GET', '/api/v1/namespaces/bench-list-100/configmaps'),
    async () => expectKeys(100)(await client.getAll().prefix('/registry/configmaps/bench-list-100/').buffers()));
  await measure('LIST 1000 objects',
    async () => void await request(api.url, 'GET', '/api/v1/namespaces/bench-list-1000/configmaps'),
    async () => expectKeys(1000)(await client.getAll().prefix('/registry/configmaps/bench-list-1000/').buffers()));
  // CREATE is kube's create: a txn that puts only when the key does not exist yet.
  await measure('CREATE',
    async (i) => void await request(api.url, 'POST', '/api/v1/namespaces/bench-create/configmaps', configMap('bench-create', `cm-${i}`)),
    async (i) => {
      const key = `/registry/configmaps/bench-raw/cm-${i}`;
      const res = await client.if(key, 'Mod', '==', 0).then(client.put(key).value(stored)).commit();
      if (!res.succeeded) throw new Error(`${key} exists`);
    });

  client.close();
  const report = render(results, viaFetch, opts);
  mkdirSync(opts.out, { recursive: true });
  const stamp = report.date.replace(/[:.]/g, '-');
  writeFileSync(path.join(opts.out, `core-${stamp}.json`), JSON.stringify(report.json, null, 2) + '\n');
  writeFileSync(path.join(opts.out, 'core-latest.txt'), report.text);
  console.log(`\n${report.text}\nsaved ${path.relative(process.cwd(), path.join(opts.out, `core-${stamp}.json`))} and core-latest.txt`);
}

function render(results: CaseResult[], viaFetch: Side, opts: Options) {
  const date = new Date().toISOString();
  const machine = {
    cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))), node: process.version, etcd: etcdVersion(), platform: `${os.platform()} ${os.release()}`,
  };
  const num = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '-');
  const cols = [20, 11, 8, 8, 11, 8, 8, 10, 10];
  const row = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(cols[i]) : c.padStart(cols[i]))).join(' ').trimEnd();
  const lines = [
    row(['', 'apiserver', '', '', 'etcd3', '', '', 'api/etcd', 'api/etcd']),
    row(['case', 'ops/s', 'p50 ms', 'p99 ms', 'ops/s', 'p50 ms', 'p99 ms', 'ops/s', 'p50']),
    ...results.map((r) => row([r.case, num(r.apiserver.opsPerSecond), num(r.apiserver.p50ms, 2), num(r.apiserver.p99ms, 2),
      num(r.etcd.opsPerSecond), num(r.etcd.p50ms, 2), num(r.etcd.p99ms, 2), `${num(r.ratio.opsPerSecond, 2)}x`, `${num(r.ratio.p50, 2)}x`])),
  ];
  const errors = results.filter((r) => r.apiserver.errors || r.etcd.errors);
  for (const r of errors) lines.push(`errors in ${r.case}: apiserver ${r.apiserver.errors}, etcd ${r.etcd.errors} (${r.apiserver.firstError ?? r.etcd.firstError})`);
  const get = results[0].apiserver;
  lines.push(`HTTP client: node:http keep-alive Agent (GET one object ${num(get.opsPerSecond)}/s p50 ${num(get.p50ms, 2)} ms; undici fetch ${num(viaFetch.opsPerSecond)}/s p50 ${num(viaFetch.p50ms, 2)} ms)`);
  const header = `${date} core benchmark: concurrency ${opts.concurrency}, ${opts.seconds}s per case and side, ${machine.cpus} cpus (${machine.cpuModel}), load ${machine.loadAverage.join(' ')}, node ${machine.node}, ${machine.etcd}\n` +
    'apiserver and etcd share the machine with the benchmark client; figures on a busy machine are noisy.\n';
  const json = {
    benchmark: 'core', date,
    options: { concurrency: opts.concurrency, secondsPerCase: opts.seconds, httpClient: 'node:http keep-alive Agent', etcdClient: 'etcd3 npm client' },
    machine, results, httpClientComparison: { nodeHttp: get, fetch: viaFetch },
  };
  return { date, json, text: `${header}\n${lines.join('\n')}\n` };
}

runMain(main);
