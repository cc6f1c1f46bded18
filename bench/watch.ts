// Watch benchmark: 100 and 1000 chunked HTTP watchers on the configmaps of one namespace while a
// writer updates them at a steady rate; delivery latency (the write's own timestamp, carried in
// the object, to the moment a watcher reads it), events lost, server CPU and memory. Also LIST of
// 1000 objects from the watch cache beside LIST with resourceVersionMatch=Exact (etcd), same run.
//   npm run bench:watch -- [--watchers 100,1000] [--rate 50] [--seconds 20] [--out bench/results]
// Watchers live in separate client processes (this file run with --client), ~500 per process.
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds, etcdVersion, repoRoot, startApiServer, startEtcd, runMain } from './runner/processes.js';
import { type Figures, percentile, runFor } from './runner/stats.js';

interface Options { watchers: number[]; rate: number; seconds: number; out: string; perProcess: number }

function parseOptions(argv: string[]): Options {
  const o: Options = { watchers: [100, 1000], rate: 50, seconds: 20, out: path.join(repoRoot, 'bench/results'), perProcess: 500 };
  for (let i = 0; i < argv.length; i++) {
    const [k, inline] = argv[i].split(/=(.*)/s, 2);
    const v = () => inline ?? argv[++i];
    if (k === '--watchers') o.watchers = v().split(',').map(Number);
    else if (k === '--rate') o.rate = Number(v());
    else if (k === '--seconds') o.seconds = Number(v());
    else if (k === '--per-process') o.perProcess = Number(v());
    else if (k === '--out') o.out = path.resolve(v());
    else throw new Error(`unknown option ${argv[i]}`);
  }
  return o;
}

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes. */
const wallMs = () => performance.timeOrigin + performance.now();

const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });

function request(base: string, method: string, p: string, body?: string, contentType = 'application/json'): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.request(base + p, { method, agent, headers: body ? { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        if ((res.statusCode ?? 0) >= 300) reject(new Error(`${method} ${p}: ${res.statusCode} ${text.slice(0, 200)}`));
        else resolve(text);
      });
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

// ---- client processes: hold watches, time every event --------------------------------------

type ToClient = { cmd: 'open'; url: string; count: number } | { cmd: 'report' } | { cmd: 'close' };
type FromClient =
  | { msg: 'ready'; opened: number; failed: number }
  | { msg: 'received'; events: number }
  | { msg: 'report'; latencies: string; perWatcher: number[]; ended: number };

function runClient(): void {
  const tsField = Buffer.from('"ts":"');
  const sockets: http.ClientRequest[] = [];
  let latencies: number[] = [];
  let perWatcher: number[] = [];
  let events = 0;
  let ended = 0;
  const send = (m: FromClient) => process.send!(m);
  const open = (url: string, index: number) => new Promise<boolean>((resolve) => {
    const req = http.get(url, { agent: false }, (res) => {
      if (res.statusCode !== 200) return resolve(false);
      resolve(true);
      // Bytes, not strings: the clients share the machine with the server, so they stay cheap.
      let rest: Buffer | undefined;
      res.on('data', (chunk: Buffer) => {
        const now = wallMs();
        const buf = rest ? Buffer.concat([rest, chunk]) : chunk;
        let start = 0;
        for (let nl = buf.indexOf(10, start); nl >= 0; nl = buf.indexOf(10, start)) {
          // Only the write timestamp is needed: find it without parsing the event.
          const at = buf.indexOf(tsField, start);
          if (at >= 0 && at < nl) {
            const from = at + tsField.length;
            latencies.push(now - Number(buf.toString('latin1', from, buf.indexOf(34, from))));
            perWatcher[index]++;
            events++;
          }
          start = nl + 1;
        }
        rest = start < buf.length ? buf.subarray(start) : undefined;
      });
      res.on('end', () => ended++);
    });
    req.on('error', () => resolve(false));
    sockets.push(req);
  });
  setInterval(() => send({ msg: 'received', events }), 250).unref();
  process.on('message', async (m: ToClient) => {
    if (m.cmd === 'open') {
      latencies = [];
      perWatcher = new Array<number>(m.count).fill(0);
      events = 0;
      ended = 0;
      let opened = 0;
      let failed = 0;
      // Connect in batches, as a fleet of clients would arrive.
      for (let i = 0; i < m.count; i += 50) {
        const batch = await Promise.all(Array.from({ length: Math.min(50, m.count - i) }, (_, j) => open(m.url, i + j)));
        for (const ok of batch) (ok ? opened++ : failed++);
      }
      send({ msg: 'ready', opened, failed });
    } else if (m.cmd === 'report') {
      const buf = Buffer.from(new Float32Array(latencies).buffer);
      send({ msg: 'report', latencies: buf.toString('base64'), perWatcher, ended });
    } else if (m.cmd === 'close') {
      for (const s of sockets) s.destroy();
      sockets.length = 0;
      process.exit(0);
    }
  });
}

class Client {
  private handlers: Array<(m: FromClient) => boolean> = [];
  received = 0;
  constructor(readonly child: ChildProcess) {
    child.on('message', (m: FromClient) => {
      if (m.msg === 'received') this.received = m.events;
      this.handlers = this.handlers.filter((h) => !h(m));
    });
  }

  request<T extends FromClient['msg']>(cmd: ToClient, reply: T): Promise<Extract<FromClient, { msg: T }>> {
    return new Promise((resolve) => {
      this.handlers.push((m) => {
        if (m.msg !== reply) return false;
        resolve(m as Extract<FromClient, { msg: T }>);
        return true;
      });
      this.child.send(cmd);
    });
  }
}

function spawnClient(): Client {
  // Clients do not need much heap; keep them lean so the server gets the CPU.
  return new Client(fork(fileURLToPath(import.meta.url), ['--client'], { stdio: 'inherit' }));
}

// ---- the coordinator --------------------------------------------------------------------------

interface WatchPhase {
  watchers: number;
  clientProcesses: number;
  writes: number;
  writeErrors: number;
  writeAckP50ms: number;
  writeAckP99ms: number;
  deliveries: number;
  expectedDeliveries: number;
  watchersMissingEvents: number;
  streamsEndedEarly: number;
  latencyP50ms: number;
  latencyP90ms: number;
  latencyP99ms: number;
  latencyMaxMs: number;
  serverCpuSeconds: number;
  serverCpuCores: number;
  etcdCpuSeconds: number;
  serverRssMiB: number;
  seconds: number;
}

function rssMiB(pid: number): number {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return m ? Number(m[1]) / 1024 : NaN;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function watchPhase(apiUrl: string, apiPid: number, etcdPid: number, watchers: number, opts: Options): Promise<WatchPhase> {
  const ns = 'bench-watch';
  const listRv = (JSON.parse(await request(apiUrl, 'GET', `/api/v1/namespaces/${ns}/configmaps`)) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  const processes = Math.max(1, Math.ceil(watchers / opts.perProcess));
  const clients = Array.from({ length: processes }, spawnClient);
  const url = `${apiUrl}/api/v1/namespaces/${ns}/configmaps?watch=true&resourceVersion=${listRv}`;
  const shares = clients.map((_, i) => Math.floor(watchers / processes) + (i < watchers % processes ? 1 : 0));
  const ready = await Promise.all(clients.map((c, i) => c.request({ cmd: 'open', url, count: shares[i] }, 'ready')));
  const failed = ready.reduce((n, r) => n + r.failed, 0);
  if (failed) throw new Error(`${failed} watches failed to open`);
  await sleep(500);

  // A steady write rate: write i goes out at start + i/rate, whether or not earlier ones returned.
  const total = Math.round(opts.rate * opts.seconds);
  const acks: number[] = [];
  let writeErrors = 0;
  const cpu0 = cpuSeconds(apiPid);
  const etcd0 = cpuSeconds(etcdPid);
  const start = wallMs();
  const inflight: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / opts.rate;
    const wait = due - wallMs();
    if (wait > 0) await sleep(wait);
    const t0 = wallMs();
    const body = JSON.stringify({ data: { ts: t0.toFixed(3), seq: String(i) } });
    inflight.push(request(apiUrl, 'PATCH', `/api/v1/namespaces/${ns}/configmaps/cm-${i % 10}`, body, 'application/merge-patch+json')
      .then(() => void acks.push(wallMs() - t0), () => void writeErrors++));
  }
  await Promise.all(inflight);
  const expected = (total - writeErrors) * watchers;
  // Wait for delivery to finish (bounded): every watcher should get every write.
  for (let i = 0; i < 200 && clients.reduce((n, c) => n + c.received, 0) < expected; i++) await sleep(100);
  const seconds = (wallMs() - start) / 1000;
  const cpu = cpuSeconds(apiPid) - cpu0;
  const etcdCpu = cpuSeconds(etcdPid) - etcd0;
  const rss = rssMiB(apiPid);

  const reports = await Promise.all(clients.map((c) => c.request({ cmd: 'report' }, 'report')));
  for (const c of clients) c.child.send({ cmd: 'close' } satisfies ToClient);
  await Promise.all(clients.map((c) => new Promise((r) => (c.child.exitCode !== null ? r(null) : c.child.once('exit', r)))));

  const latencies: number[] = [];
  let missing = 0;
  let ended = 0;
  for (const r of reports) {
    const b = Buffer.from(r.latencies, 'base64');
    const f = new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4);
    for (const x of f) latencies.push(x);
    missing += r.perWatcher.filter((n) => n < total - writeErrors).length;
    ended += r.ended;
  }
  latencies.sort((a, b) => a - b);
  acks.sort((a, b) => a - b);
  return {
    watchers, clientProcesses: processes, writes: total, writeErrors,
    writeAckP50ms: percentile(acks, 50), writeAckP99ms: percentile(acks, 99),
    deliveries: latencies.length, expectedDeliveries: expected, watchersMissingEvents: missing, streamsEndedEarly: ended,
    latencyP50ms: percentile(latencies, 50), latencyP90ms: percentile(latencies, 90), latencyP99ms: percentile(latencies, 99),
    latencyMaxMs: latencies.length ? latencies[latencies.length - 1] : NaN,
    serverCpuSeconds: cpu, serverCpuCores: cpu / seconds, etcdCpuSeconds: etcdCpu, serverRssMiB: rss, seconds,
  };
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const etcd = await startEtcd();
  const api = await startApiServer(etcd.url);
  const etcdPid = etcd.pid;
  console.log(`apiserver ${api.url} on etcd ${etcd.url}; watchers ${opts.watchers.join(', ')}; ${opts.rate} writes/s for ${opts.seconds}s`);

  for (const ns of ['bench-watch', 'bench-list']) {
    await request(api.url, 'POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } }));
  }
  for (let i = 0; i < 10; i++) {
    await request(api.url, 'POST', '/api/v1/namespaces/bench-watch/configmaps', JSON.stringify({ metadata: { name: `cm-${i}` }, data: { ts: '0' } }));
  }
  const payload = 'x'.repeat(1024);
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < 1000) {
      const name = `cm-${String(next++).padStart(4, '0')}`;
      await request(api.url, 'POST', '/api/v1/namespaces/bench-list/configmaps', JSON.stringify({ metadata: { name, labels: { bench: 'watch' } }, data: { payload } }));
    }
  }));

  // LIST 1000 objects: the watch cache (consistent read, and resourceVersion=0) beside etcd (Exact).
  const lists: Array<{ case: string; figures: Figures; serverCpuSeconds: number }> = [];
  const listCase = async (name: string, query: () => string) => {
    const op = async () => void await request(api.url, 'GET', `/api/v1/namespaces/bench-list/configmaps${query()}`);
    await runFor(1, 4, op);
    const c0 = cpuSeconds(api.pid);
    const figures = await runFor(4, 4, op);
    lists.push({ case: name, figures, serverCpuSeconds: cpuSeconds(api.pid) - c0 });
    console.log(`  ${name}: ${figures.opsPerSecond.toFixed(0)}/s`);
  };
  const rv = (JSON.parse(await request(api.url, 'GET', '/api/v1/namespaces/bench-list/configmaps?limit=1')) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  await listCase('LIST 1000, watch cache (consistent)', () => '');
  await listCase('LIST 1000, watch cache (rv=0)', () => '?resourceVersion=0');
  await listCase('LIST 1000, etcd (rv=N, Exact)', () => `?resourceVersion=${rv}&resourceVersionMatch=Exact`);

  const phases: WatchPhase[] = [];
  for (const n of opts.watchers) {
    console.log(`  ${n} watchers...`);
    phases.push(await watchPhase(api.url, api.pid, etcdPid, n, opts));
  }

  const num = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '-');
  const pad = (s: string, n: number) => s.padEnd(n);
  const lines: string[] = [];
  lines.push(`watch: ${opts.rate} updates/s for ${opts.seconds}s to configmaps in one namespace; latency = write issued (timestamp in the object) -> event read by the watcher`);
  lines.push(`${pad('watchers', 10)}${pad('delivered', 20)}${pad('missing', 9)}${pad('p50 ms', 9)}${pad('p90 ms', 9)}${pad('p99 ms', 9)}${pad('max ms', 9)}${pad('write ack p50/p99', 19)}${pad('server CPU', 18)}${pad('etcd CPU s', 12)}server RSS`);
  for (const p of phases) {
    lines.push(`${pad(String(p.watchers), 10)}${pad(`${p.deliveries}/${p.expectedDeliveries}`, 20)}${pad(String(p.watchersMissingEvents), 9)}${pad(num(p.latencyP50ms, 2), 9)}${pad(num(p.latencyP90ms, 2), 9)}${pad(num(p.latencyP99ms, 2), 9)}${pad(num(p.latencyMaxMs, 1), 9)}${pad(`${num(p.writeAckP50ms, 2)}/${num(p.writeAckP99ms, 2)} ms`, 19)}${pad(`${num(p.serverCpuSeconds, 2)}s (${num(p.serverCpuCores * 100, 0)}%)`, 18)}${pad(num(p.etcdCpuSeconds, 2), 12)}${num(p.serverRssMiB, 0)} MiB`);
  }
  lines.push('');
  lines.push(`${pad('LIST case', 38)}${pad('ops/s', 9)}${pad('p50 ms', 9)}${pad('p99 ms', 9)}server CPU s/op`);
  for (const l of lists) {
    lines.push(`${pad(l.case, 38)}${pad(num(l.figures.opsPerSecond), 9)}${pad(num(l.figures.p50ms, 2), 9)}${pad(num(l.figures.p99ms, 2), 9)}${num((l.serverCpuSeconds / l.figures.ops) * 1000, 2)} ms`);
  }
  const table = lines.join('\n');
  console.log(`\n${table}\n`);
  const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, node: process.version, etcd: etcdVersion(), platform: `${os.platform()} ${os.release()}` };
  const report = { benchmark: 'watch', date: new Date().toISOString(), options: opts, machine, watch: phases, list: lists };
  mkdirSync(opts.out, { recursive: true });
  const stamp = report.date.replace(/[:.]/g, '-');
  writeFileSync(path.join(opts.out, `watch-${stamp}.json`), JSON.stringify(report, null, 2) + '\n');
  writeFileSync(path.join(opts.out, 'watch-latest.txt'), `${report.date} ${JSON.stringify(machine)}\n${table}\n`);
  console.log(`saved ${path.relative(process.cwd(), path.join(opts.out, `watch-${stamp}.json`))} and watch-latest.txt`);
}

if (process.argv.includes('--client')) {
  runClient();
} else {
  runMain(main);
}
