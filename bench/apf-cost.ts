// The cost of API Priority and Fairness against the max-in-flight filter it replaces: GETs of one ConfigMap
// against two servers of this build on one etcd, one with --enable-priority-and-fairness=false, rounds
// alternated. Neither limit is reached: this is the per-request price of classification, the queue set's
// bookkeeping and the apiserver_flowcontrol_* metrics. Prints req/s, p50/p99 and each server's CPU per request.
//   node dist/bench/apf-cost.js [--concurrency 16] [--duration-seconds 5] [--rounds 3]
import os from 'node:os';
import { request } from './runner/http.js';
import { alternatedRounds } from './runner/alternated.js';
import { freePort, runMain, startApiServerOn, startEtcd } from './runner/processes.js';
import { parseFlags } from './runner/flags.js';

interface Options { concurrency: number; seconds: number; rounds: number }

async function main(): Promise<void> {
  const opts = parseFlags<Options>(process.argv.slice(2), { concurrency: 16, seconds: 5, rounds: 3 },
    { '--concurrency': 'concurrency', '--duration-seconds': 'seconds', '--rounds': 'rounds' }, []);
  const etcd = await startEtcd();
  const servers = {
    maxinflight: await startApiServerOn(await freePort(), etcd.url, ['--enable-priority-and-fairness=false']),
    apf: await startApiServerOn(await freePort(), etcd.url),
  };
  const p = '/api/v1/namespaces/default/configmaps';
  await request(servers.apf.url, 'POST', p, JSON.stringify({ metadata: { name: 'one' }, data: { k: 'v'.repeat(1024) } }));
  const get = (base: string) => () => request(base, 'GET', `${p}/one`).then(() => undefined);
  const results = await alternatedRounds(servers, get, opts);
  console.log(`apf-cost: ${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} cores (shared), concurrency ${opts.concurrency}, ${opts.rounds} x ${opts.seconds}s per side, GET one ConfigMap`);
  for (const [side, f] of Object.entries(results)) {
    console.log(`${side.padEnd(11)} ${f.opsPerSecond.toFixed(0).padStart(6)} req/s  p50 ${f.p50ms.toFixed(2)} ms  p99 ${f.p99ms.toFixed(2)} ms  server cpu ${f.cpuUsPerRequest.toFixed(0)} us/req  ` +
      `per round ${f.perRoundOpsPerSecond.map((x) => x.toFixed(0)).join(', ')} req/s  errors ${f.errors}`);
  }
}

runMain(main);
