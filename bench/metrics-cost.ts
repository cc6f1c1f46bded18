// The cost of the request metrics: GETs of one ConfigMap against this build's server and another
// build's (the code before the metrics, built elsewhere), side by side on one etcd, rounds alternated.
// Prints req/s, p50/p99 and each server's CPU per request.
//   node dist/bench/metrics-cost.js --baseline /path/to/old/dist/server/main.js [--concurrency 16] [--duration-seconds 5] [--rounds 3]
import os from 'node:os';
import { request } from './runner/http.js';
import { alternatedRounds } from './runner/alternated.js';
import { freePort, runMain, startApiServerOn, startEtcd } from './runner/processes.js';
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
  const results = await alternatedRounds(servers, get, opts);
  console.log(`metrics-cost: ${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} cores (shared), concurrency ${opts.concurrency}, ${opts.rounds} x ${opts.seconds}s per side, GET one ConfigMap`);
  for (const [side, f] of Object.entries(results)) {
    console.log(`${side.padEnd(9)} ${f.opsPerSecond.toFixed(0).padStart(6)} req/s  p50 ${f.p50ms.toFixed(2)} ms  p99 ${f.p99ms.toFixed(2)} ms  server cpu ${f.cpuUsPerRequest.toFixed(0)} us/req  ` +
      `per round ${f.perRoundOpsPerSecond.map((x) => x.toFixed(0)).join(', ')} req/s  errors ${f.errors}`);
  }
}

runMain(main);
