// The cost of tracing: GETs of one ConfigMap against this build's server with tracing off (no OTEL_*
// environment: no SDK loaded), on and sampling every request (exported over OTLP/HTTP protobuf to a
// receiver in this process that drops them), and on with nothing sampled; optionally the build before
// tracing (--baseline). Side by side on one etcd, rounds alternated; req/s, p50/p99, server CPU per request.
//   node dist/bench/tracing-cost.js [--baseline /path/to/old/dist/server/main.js] [--concurrency 16] [--duration-seconds 5] [--rounds 3]
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import { request } from './runner/http.js';
import { alternatedRounds } from './runner/alternated.js';
import { freePort, runMain, startApiServerOn, startEtcd } from './runner/processes.js';
import { parseFlags } from './runner/flags.js';

interface Options { baseline: string; concurrency: number; seconds: number; rounds: number }

async function main(): Promise<void> {
  const opts = parseFlags<Options>(process.argv.slice(2), { baseline: '', concurrency: 16, seconds: 5, rounds: 3 },
    { '--baseline': 'baseline', '--concurrency': 'concurrency', '--duration-seconds': 'seconds', '--rounds': 'rounds' }, ['baseline']);
  let exportedBytes = 0;
  const receiver = http.createServer((req, res) => {
    req.on('data', (c: Buffer) => (exportedBytes += c.length));
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' };
  const etcd = await startEtcd();
  const servers: Record<string, { url: string; pid: number }> = {};
  if (opts.baseline) servers.baseline = await startApiServerOn(await freePort(), etcd.url, [], [], opts.baseline);
  servers.off = await startApiServerOn(await freePort(), etcd.url);
  servers.sampled = await startApiServerOn(await freePort(), etcd.url, [], [], undefined, { ...otel, OTEL_TRACES_SAMPLER: 'always_on' });
  servers.unsampled = await startApiServerOn(await freePort(), etcd.url, [], [], undefined, { ...otel, OTEL_TRACES_SAMPLER: 'always_off' });
  const p = '/api/v1/namespaces/default/configmaps';
  await request(servers.off.url, 'POST', p, JSON.stringify({ metadata: { name: 'one' }, data: { k: 'v'.repeat(1024) } }));
  const get = (base: string) => () => request(base, 'GET', `${p}/one`).then(() => undefined);
  const results = await alternatedRounds(servers, get, opts);
  console.log(`tracing-cost: ${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} cores (shared), concurrency ${opts.concurrency}, ${opts.rounds} x ${opts.seconds}s per side, GET one ConfigMap; ${(exportedBytes / 1e6).toFixed(1)} MB of spans exported`);
  for (const [side, f] of Object.entries(results)) {
    console.log(`${side.padEnd(9)} ${f.opsPerSecond.toFixed(0).padStart(6)} req/s  p50 ${f.p50ms.toFixed(2)} ms  p99 ${f.p99ms.toFixed(2)} ms  server cpu ${f.cpuUsPerRequest.toFixed(0)} us/req  ` +
      `per round ${f.perRoundOpsPerSecond.map((x) => x.toFixed(0)).join(', ')} req/s  errors ${f.errors}`);
  }
  receiver.close();
}

runMain(main);
