// The watch scenario: N watchers (spread over client processes) on the configmaps of one namespace
// while a writer patches them at a steady rate, each write carrying its own timestamp. Latency is
// write issued -> event read by a watcher; every watcher should get every write.
import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from '../runner/http.js';
import { stopWithRunner } from '../runner/processes.js';
import { namespaces, objectName } from '../runner/seed.js';
import { percentile, wallMs } from '../runner/stats.js';
import type { Target } from '../runner/targets.js';
import type { FromClient, ToClient } from './watch-client.js';

export interface WatchOptions { watchers: number; writesPerSecond: number; seconds: number; watchersPerProcess: number }

export interface WatchFigures {
  watchers: number;
  writes: number;
  writeErrors: number;
  delivered: number;
  expected: number;
  /** Watchers that did not see every acknowledged write. */
  watchersMissingEvents: number;
  streamsEndedEarly: number;
  /** Events delivered per second, all watchers together. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Share of expected deliveries that never arrived. */
  errorRate: number;
}

const clientFile = path.join(path.dirname(fileURLToPath(import.meta.url)), 'watch-client.js');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

class Client {
  private handlers: Array<(m: FromClient) => boolean> = [];
  received = 0;
  readonly child: ChildProcess = stopWithRunner(fork(clientFile, [], { stdio: 'inherit' }));
  constructor() {
    this.child.on('message', (m: FromClient) => {
      if (m.msg === 'received') this.received = m.events;
      this.handlers = this.handlers.filter((h) => !h(m));
    });
  }

  ask<T extends FromClient['msg']>(cmd: ToClient, reply: T): Promise<Extract<FromClient, { msg: T }>> {
    return new Promise((resolve, reject) => {
      this.child.once('exit', (code) => reject(new Error(`watch client exited (${code})`)));
      this.handlers.push((m) => {
        if (m.msg !== reply) return false;
        resolve(m as Extract<FromClient, { msg: T }>);
        return true;
      });
      this.child.send(cmd);
    });
  }
}

export async function runWatch(t: Target, o: WatchOptions): Promise<WatchFigures> {
  const opts = { token: t.token };
  const base = `/api/v1/namespaces/${namespaces.watch}/configmaps`;
  const listRv = (JSON.parse((await request(t.url, 'GET', base, undefined, opts)).body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  // At least two client processes (one per core here), more past watchersPerProcess each.
  const processes = Math.max(Math.min(2, o.watchers), Math.ceil(o.watchers / o.watchersPerProcess));
  const clients = Array.from({ length: processes }, () => new Client());
  try {
    const url = `${t.url}${base}?watch=true&resourceVersion=${listRv}`;
    const shares = clients.map((_, i) => Math.floor(o.watchers / processes) + (i < o.watchers % processes ? 1 : 0));
    const ready = await Promise.all(clients.map((c, i) => c.ask({ cmd: 'open', url, token: t.token, count: shares[i] }, 'ready')));
    const failed = ready.reduce((n, r) => n + r.failed, 0);
    if (failed) throw new Error(`${failed} of ${o.watchers} watches failed to open on ${t.name}`);

    // A steady write rate: write i goes out at start + i/rate, whether or not earlier ones returned.
    const total = Math.max(1, Math.round(o.writesPerSecond * o.seconds));
    let writeErrors = 0;
    const start = wallMs();
    const inflight: Promise<void>[] = [];
    for (let i = 0; i < total; i++) {
      const wait = start + (i * 1000) / o.writesPerSecond - wallMs();
      if (wait > 0) await sleep(wait);
      const body = JSON.stringify({ data: { ts: wallMs().toFixed(3), seq: String(i) } });
      inflight.push(request(t.url, 'PATCH', `${base}/${objectName(i % 10)}`, body, { ...opts, contentType: 'application/merge-patch+json' })
        .then(() => {}, () => void writeErrors++));
    }
    await Promise.all(inflight);
    const acked = total - writeErrors;
    const expected = acked * o.watchers;
    // Wait (bounded: 20 s) for delivery to finish.
    for (let i = 0; i < 200 && clients.reduce((n, c) => n + c.received, 0) < expected; i++) await sleep(100);
    const seconds = (wallMs() - start) / 1000;

    const reports = await Promise.all(clients.map((c) => c.ask({ cmd: 'report' }, 'report')));
    const latencies: number[] = [];
    let missing = 0;
    let ended = 0;
    for (const r of reports) {
      const b = Buffer.from(r.latencies, 'base64');
      for (const x of new Float32Array(b.buffer, b.byteOffset, b.byteLength / 4)) latencies.push(x);
      missing += r.perWatcher.filter((n) => n < acked).length;
      ended += r.ended;
    }
    latencies.sort((a, b) => a - b);
    return {
      watchers: o.watchers, writes: total, writeErrors, delivered: latencies.length, expected,
      watchersMissingEvents: missing, streamsEndedEarly: ended, rps: latencies.length / seconds,
      p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), maxMs: latencies[latencies.length - 1] ?? NaN,
      errorRate: expected ? Math.max(0, expected - latencies.length) / expected : 1,
    };
  } finally {
    for (const c of clients) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  }
}
