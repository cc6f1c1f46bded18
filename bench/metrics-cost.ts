// The cost of the request metrics: GETs of one ConfigMap against this build's server and another
// build's (the code before the metrics, built elsewhere), side by side on one etcd, rounds alternated.
// Prints req/s, p50/p99 and each server's CPU per request.
//   node dist/bench/metrics-cost.js --baseline /path/to/old/dist/server/main.js [--concurrency 16] [--duration-seconds 5] [--rounds 3]
import os from 'node:os';
import { request } from './runner/http.js';
import { cpuSeconds, freePort, runMain, startApiServerOn, startEtcd } from './runner/processes.js';
import { runFor, summarize } from './runner/stats.js';
import { parseFlags } from './runner/flags.js';

interface Options { baseline: string; concurrency: number; seconds: number; rounds: number }

async function main(): Promise<void> {
  const opts = parseFlags<Options>(process.argv.slice(2), { baseline: '', concurrency: 16, seconds: 5, rounds: 3 },
    { '--baseline': 'baseline', '--concurrency': 'concurrency', '--duration-seconds': 'seconds', '--rounds': 'rounds' }, ['baseline']);
  if (!opts.baseline) throw new Error('--baseline <dist/server/main.js of the build to compare with> is required');
  const etcd = await startEtcd();
  const servers = {
    baseline: await startApiServerOn(await freePort(), etcd.url, [], [], opts.baseline),
    metrics: await startApiServerOn(await freePort(), etcd.url),
  };
  const p = '/api/v1/namespaces/default/configmaps';
  await request(servers.metrics.url, 'POST', p, JSON.stringify({ metadata: { name: 'one' }, data: { k: 'v'.repeat(1024) } }));
  const get = (base: string) => () => request(base, 'GET', `${p}/one`).then(() => undefined);
  for (const s of Object.values(servers)) await runFor(1, opts.concurrency, get(s.url)); // warm up
  const runs: Record<string, Array<{ latencies: number[]; seconds: number; errors: number; cpu: number }>> = { baseline: [], metrics: [] };
  for (let r = 0; r < opts.rounds; r++) {
    for (const [side, s] of Object.entries(servers)) {
      const latencies: number[] = [];
      const cpu0 = cpuSeconds(s.pid);
      const f = await runFor(opts.seconds, opts.concurrency, async () => {
        const t0 = performance.now();
        await get(s.url)();
        latencies.push(performance.now() - t0);
      });
      runs[side].push({ latencies, seconds: f.seconds, errors: f.errors, cpu: cpuSeconds(s.pid) - cpu0 });
    }
  }
  console.log(`metrics-cost: ${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} cores (shared), concurrency ${opts.concurrency}, ${opts.rounds} x ${opts.seconds}s per side, GET one ConfigMap`);
  for (const [side, xs] of Object.entries(runs)) {
    const f = summarize(xs.flatMap((x) => x.latencies), xs.reduce((n, x) => n + x.seconds, 0), xs.reduce((n, x) => n + x.errors, 0));
    const cpuUs = f.ops ? (xs.reduce((n, x) => n + x.cpu, 0) / f.ops) * 1e6 : 0;
    console.log(`${side.padEnd(9)} ${f.opsPerSecond.toFixed(0).padStart(6)} req/s  p50 ${f.p50ms.toFixed(2)} ms  p99 ${f.p99ms.toFixed(2)} ms  server cpu ${cpuUs.toFixed(0)} us/req  ` +
      `per round ${xs.map((x) => (x.latencies.length / x.seconds).toFixed(0)).join(', ')} req/s  errors ${f.errors}`);
  }
}

runMain(main);
