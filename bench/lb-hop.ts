// The cost of the load balancer hop: GET of one ConfigMap against one API server instance directly,
// and through the LB in front of that same instance, alternated in one run. Prints req/s, p50/p99
// and each process's CPU seconds (so the hop's cost per request is visible), and saves the figures.
//   node dist/bench/lb-hop.js [--concurrency 16] [--duration-seconds 5] [--rounds 2] [--cpu-prof DIR] [--out bench/results]
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request } from './runner/http.js';
import { cpuSeconds, repoRoot, startApiServer, startEtcd, startLb, runMain, stopProcess } from './runner/processes.js';
import { type Figures, runFor, summarize } from './runner/stats.js';
import { parseFlags } from './runner/flags.js';

interface Options { concurrency: number; seconds: number; rounds: number; cpuProf?: string; out: string }

function parseOptions(argv: string[]): Options {
  return parseFlags<Options>(argv, { concurrency: 16, seconds: 5, rounds: 2, out: path.join(repoRoot, 'bench/results') },
    { '--concurrency': 'concurrency', '--duration-seconds': 'seconds', '--rounds': 'rounds', '--cpu-prof': 'cpuProf', '--out': 'out' }, ['cpuProf', 'out']);
}

interface Side extends Figures { cpuSeconds: { apiserver: number; lb: number; benchClient: number } }

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const etcd = await startEtcd();
  const api = await startApiServer(etcd.url);
  const lb = await startLb(api.url, opts.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', opts.cpuProf] : []);
  console.log(`apiserver ${api.url}, lb ${lb.url} -> apiserver; concurrency ${opts.concurrency}, ${opts.seconds}s x ${opts.rounds} rounds per side, ${os.cpus().length} cores (shared)`);
  await request(api.url, 'POST', '/api/v1/namespaces', JSON.stringify({ metadata: { name: 'bench-lb' } }));
  const p = '/api/v1/namespaces/bench-lb/configmaps';
  await request(api.url, 'POST', p, JSON.stringify({ metadata: { name: 'one', labels: { app: 'bench' } }, data: { k: 'v'.repeat(1024) } }));
  const get = (base: string) => () => request(base, 'GET', `${p}/one`).then(() => undefined);

  const measure = async (base: string): Promise<Side & { latencies: number[] }> => {
    const before = { a: cpuSeconds(api.pid), l: cpuSeconds(lb.child.pid!), c: process.cpuUsage() };
    const latencies: number[] = [];
    const op = get(base);
    const figures = await runFor(opts.seconds, opts.concurrency, async () => {
      const t0 = performance.now();
      await op();
      latencies.push(performance.now() - t0);
    });
    const c = process.cpuUsage(before.c);
    return { ...figures, latencies, cpuSeconds: { apiserver: cpuSeconds(api.pid) - before.a, lb: cpuSeconds(lb.child.pid!) - before.l, benchClient: (c.user + c.system) / 1e6 } };
  };
  // Warm up both paths (JIT, keep-alive sockets).
  await runFor(1, opts.concurrency, get(api.url));
  await runFor(1, opts.concurrency, get(lb.url));
  const runs: Record<'direct' | 'lb', Awaited<ReturnType<typeof measure>>[]> = { direct: [], lb: [] };
  for (let r = 0; r < opts.rounds; r++) {
    runs.direct.push(await measure(api.url));
    runs.lb.push(await measure(lb.url));
  }
  const combine = (xs: Awaited<ReturnType<typeof measure>>[]): Side => {
    const seconds = xs.reduce((n, x) => n + x.seconds, 0);
    const f = summarize(xs.flatMap((x) => x.latencies), seconds, xs.reduce((n, x) => n + x.errors, 0), xs.find((x) => x.firstError)?.firstError);
    const sum = (k: keyof Side['cpuSeconds']) => Math.round(xs.reduce((n, x) => n + x.cpuSeconds[k], 0) * 100) / 100;
    return { ...f, cpuSeconds: { apiserver: sum('apiserver'), lb: sum('lb'), benchClient: sum('benchClient') } };
  };
  const direct = combine(runs.direct);
  const viaLb = combine(runs.lb);
  const row = (name: string, s: Side) => [name, s.opsPerSecond.toFixed(0), s.p50ms.toFixed(2), s.p99ms.toFixed(2), String(s.errors),
    s.cpuSeconds.apiserver.toFixed(2), s.cpuSeconds.lb.toFixed(2), s.cpuSeconds.benchClient.toFixed(2),
    s.ops ? ((s.cpuSeconds.lb / s.ops) * 1e6).toFixed(0) : '-', s.ops ? ((s.cpuSeconds.apiserver / s.ops) * 1e6).toFixed(0) : '-'];
  const header = ['GET one ConfigMap', 'req/s', 'p50 ms', 'p99 ms', 'errors', 'cpu s apiserver', 'cpu s lb', 'cpu s client', 'lb cpu us/req', 'apiserver cpu us/req'];
  const rows = [header, row('direct', direct), row('through the LB', viaLb)];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const text = [
    `lb-hop: ${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} cores, concurrency ${opts.concurrency}, ${opts.rounds} x ${opts.seconds}s per side`,
    ...rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join('  ')),
    `through the LB: ${((viaLb.opsPerSecond / direct.opsPerSecond) * 100).toFixed(0)}% of direct throughput, p50 +${(viaLb.p50ms - direct.p50ms).toFixed(2)} ms, p99 +${(viaLb.p99ms - direct.p99ms).toFixed(2)} ms`,
  ].join('\n');
  console.log(text);
  mkdirSync(opts.out, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  writeFileSync(path.join(opts.out, `lb-hop-${stamp}.json`), `${JSON.stringify({ options: { concurrency: opts.concurrency, seconds: opts.seconds, rounds: opts.rounds }, direct, lb: viaLb }, null, 2)}\n`);
  writeFileSync(path.join(opts.out, 'lb-hop-latest.txt'), `${text}\n`);
  // SIGTERM lets node write the CPU profile; wait for the exit rather than a while.
  if (opts.cpuProf) await stopProcess(lb.child);
}

runMain(main);
