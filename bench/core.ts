// Core benchmark: GET, LIST (100 and 1000 objects) and CREATE through the API server, beside raw
// etcd3 reads and writes of the same data, measured in one run. Prints a table and saves figures
// under bench/results/.   npm run bench -- [--concurrency 16] [--duration-seconds 5] [--out bench/results]
import { mkdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Etcd3 } from 'etcd3';
import { cpuSeconds, etcdVersion, repoRoot, startApiServer, startEtcd, stopAll } from './runner/processes.js';
import { type Figures, runFor } from './runner/stats.js';

interface Options { concurrency: number; seconds: number; out: string }

function parseOptions(argv: string[]): Options {
  const o: Options = { concurrency: 16, seconds: 5, out: path.join(repoRoot, 'bench/results') };
  for (let i = 0; i < argv.length; i++) {
    const [k, inline] = argv[i].split(/=(.*)/s, 2);
    const v = () => inline ?? argv[++i];
    if (k === '--concurrency') o.concurrency = Number(v());
    else if (k === '--duration-seconds') o.seconds = Number(v());
    else if (k === '--out') o.out = path.resolve(v());
    else throw new Error(`unknown option ${argv[i]}`);
  }
  return o;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

/** One HTTP request on a keep-alive connection (node:http: faster here than fetch). */
function request(base: string, method: string, p: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(base + p, { method, agent, headers: body ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if ((res.statusCode ?? 0) >= 300) reject(new Error(`${method} ${p}: ${res.statusCode} ${text.slice(0, 200)}`));
        else resolve({ status: res.statusCode ?? 0, body: text });
      });
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

const payload = 'x'.repeat(1024);
const configMap = (ns: string, name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels: { bench: 'core' } }, data: { payload } });

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const etcd = await startEtcd();
  const api = await startApiServer(etcd.url);
  const client = new Etcd3({ hosts: etcd.url });
  console.log(`apiserver ${api.url} on etcd ${etcd.url}; concurrency ${opts.concurrency}, ${opts.seconds}s per case`);

  // Data: namespaces holding 1, 100 and 1000 configmaps, written through the API server.
  for (const ns of ['bench-get', 'bench-list-100', 'bench-list-1000', 'bench-create']) {
    await request(api.url, 'POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }));
  }
  const fill = async (ns: string, n: number) => {
    let i = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (i < n) {
        const name = `cm-${String(i++).padStart(5, '0')}`;
        await request(api.url, 'POST', `/api/v1/namespaces/${ns}/configmaps`, configMap(ns, name));
      }
    }));
  };
  await fill('bench-get', 1);
  await fill('bench-list-100', 100);
  await fill('bench-list-1000', 1000);

  const results: Array<{ case: string; apiserver: Figures; etcd: Figures }> = [];
  const measure = async (name: string, viaApi: (i: number) => Promise<void>, viaEtcd: (i: number) => Promise<void>) => {
    // Warm both paths, then measure side by side.
    await runFor(1, opts.concurrency, viaApi);
    await runFor(1, opts.concurrency, viaEtcd);
    const cpu0 = cpuSeconds(api.pid);
    const a = await runFor(opts.seconds, opts.concurrency, viaApi);
    const cpu1 = cpuSeconds(api.pid);
    const e = await runFor(opts.seconds, opts.concurrency, viaEtcd);
    results.push({ case: name, apiserver: { ...a, serverCpuSeconds: cpu1 - cpu0 } as Figures, etcd: e });
    console.log(`  ${name}: done`);
  };

  await measure('GET one object',
    async () => void await request(api.url, 'GET', '/api/v1/namespaces/bench-get/configmaps/cm-00000'),
    async () => void await client.get('/registry/configmaps/bench-get/cm-00000').buffer());
  await measure('LIST 100 objects',
    async () => void await request(api.url, 'GET', '/api/v1/namespaces/bench-list-100/configmaps'),
    async () => void await client.getAll().prefix('/registry/configmaps/bench-list-100/').buffers());
  await measure('LIST 1000 objects',
    async () => void await request(api.url, 'GET', '/api/v1/namespaces/bench-list-1000/configmaps'),
    async () => void await client.getAll().prefix('/registry/configmaps/bench-list-1000/').buffers());
  const runId = Date.now().toString(36);
  await measure('CREATE',
    async (i) => void await request(api.url, 'POST', '/api/v1/namespaces/bench-create/configmaps', configMap('bench-create', `a-${runId}-${i}`)),
    async (i) => {
      const key = `/registry/configmaps/bench-raw/e-${runId}-${i}`;
      const value = configMap('bench-raw', `e-${runId}-${i}`);
      await client.if(key, 'Create', '==', 0).then(client.put(key).value(value)).commit();
    });

  client.close();
  const lines: string[] = [];
  const pad = (s: string, n: number) => s.padEnd(n);
  const num = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '-');
  lines.push(`${pad('case', 20)}${pad('apiserver ops/s', 17)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}${pad('etcd3 ops/s', 13)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}api/etcd ops`);
  for (const r of results) {
    lines.push(`${pad(r.case, 20)}${pad(num(r.apiserver.opsPerSecond), 17)}${pad(num(r.apiserver.p50ms, 2), 9)}${pad(num(r.apiserver.p99ms, 2), 9)}${pad(num(r.etcd.opsPerSecond), 13)}${pad(num(r.etcd.p50ms, 2), 9)}${pad(num(r.etcd.p99ms, 2), 9)}${num(r.apiserver.opsPerSecond / r.etcd.opsPerSecond, 2)}x`);
  }
  const table = lines.join('\n');
  console.log(`\n${table}\n`);
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version, etcd: etcdVersion(), platform: `${os.platform()} ${os.release()}` };
  const report = { benchmark: 'core', date: new Date().toISOString(), options: { concurrency: opts.concurrency, secondsPerCase: opts.seconds, client: 'node:http keep-alive / etcd3 npm client' }, machine, results };
  mkdirSync(opts.out, { recursive: true });
  const stamp = report.date.replace(/[:.]/g, '-');
  writeFileSync(path.join(opts.out, `core-${stamp}.json`), JSON.stringify(report, null, 2) + '\n');
  writeFileSync(path.join(opts.out, 'core-latest.txt'), `${report.date} concurrency=${opts.concurrency} ${opts.seconds}s/case ${JSON.stringify(machine)}\n${table}\n`);
  console.log(`saved bench/results/core-${stamp}.json and core-latest.txt`);
}

main().then(() => {
  stopAll();
  process.exit(0);
}, (e) => {
  console.error(e);
  stopAll();
  process.exit(1);
});
