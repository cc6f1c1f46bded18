// The ceilings the API figures are read against, measured in the same run on the same machine: raw
// etcd transactions (kube's create: put if the key does not exist) and reads of one key through the
// etcd3 npm client on a fresh etcd 3.6, and the bare uWebSockets.js response rate under vegeta.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Etcd3 } from 'etcd3';
import { httpReady, startOnFreePorts, startProcess, stopProcess, waitReady } from '../../compose/local/processes.js';
import { startEtcd } from '../runner/processes.js';
import { runFor, sequence } from '../runner/stats.js';
import { attack, figures, readResults } from '../runner/vegeta.js';
import { configMap, namespaces } from '../runner/seed.js';

export interface Limit { rps: number; p50Ms: number; p99Ms: number; errorRate: number }
export interface Limits { etcdTxn: Limit; etcdRead: Limit; uwsHello: Limit; etcdVersion: string; etcdClientConcurrency: number }

const limit = (f: { opsPerSecond: number; p50ms: number; p99ms: number; errors: number; ops: number }): Limit =>
  ({ rps: f.opsPerSecond, p50Ms: f.p50ms, p99Ms: f.p99ms, errorRate: f.errors / Math.max(1, f.ops + f.errors) });

export async function measureLimits(vegeta: string, etcdBinary: string, o: { seconds: number; workers: number; outDir: string }): Promise<Limits> {
  const etcd = await startEtcd(etcdBinary);
  const client = new Etcd3({ hosts: etcd.url });
  const concurrency = o.workers;
  let etcdTxn: Limit;
  let etcdRead: Limit;
  let etcdVersion = 'unknown';
  try {
    etcdVersion = ((await (await fetch(`${etcd.url}/version`)).json()) as { etcdserver: string }).etcdserver;
    const value = Buffer.from(configMap(namespaces.create, { name: 'raw' }));
    const next = sequence();
    const txn = async (i: number) => {
      const key = `/registry/configmaps/bench-raw/cm-${i}`;
      if (!(await client.if(key, 'Mod', '==', 0).then(client.put(key).value(value)).commit()).succeeded) throw new Error(`${key} exists`);
    };
    await runFor(1, concurrency, txn, next);
    etcdTxn = limit(await runFor(o.seconds, concurrency, txn, next));
    const read = async () => {
      if (!(await client.get('/registry/configmaps/bench-raw/cm-0').buffer())) throw new Error('key missing');
    };
    await runFor(1, concurrency, read);
    etcdRead = limit(await runFor(o.seconds, concurrency, read));
  } finally {
    client.close();
    process.kill(etcd.pid, 'SIGKILL');
  }

  const hello = path.join(path.dirname(fileURLToPath(import.meta.url)), 'uws-hello.js');
  const uws = await startOnFreePorts(1, async ([port]) => {
    const r = startProcess({ name: 'uws-hello', command: process.execPath, args: [hello, String(port)] });
    await waitReady(r, httpReady(`http://127.0.0.1:${port}/`), { timeoutMs: 10000 });
    return { r, url: `http://127.0.0.1:${port}/` };
  });
  try {
    const out = path.join(o.outDir, 'raw', 'limits', 'uws-hello.bin');
    await attack(vegeta, { name: 'uws-hello', targets: [{ method: 'GET', url: uws.url }], rate: 0, workers: o.workers, seconds: o.seconds, out });
    const f = figures(readResults(vegeta, out));
    return { etcdTxn, etcdRead, uwsHello: { rps: f.rps, p50Ms: f.p50Ms, p99Ms: f.p99Ms, errorRate: f.errorRate }, etcdVersion, etcdClientConcurrency: concurrency };
  } finally {
    await stopProcess(uws.r.child, 1000, 'SIGKILL');
  }
}
