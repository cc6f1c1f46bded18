// Starts the real load balancer (dist/lb/main.js) in front of test API servers, and stops it afterwards.
import { type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { startOnFreePorts, startProcess, stopProcess, waitReady } from '../../compose/local/processes.js';
import { repoRoot } from './cluster.js';
import { eventually } from './eventually.js';

export interface LbProcess {
  url: string;
  port: number;
  process: ChildProcess;
  logs(): string;
  /** GET /lb/stats, from the LB's --stats-listen listener (the client listener serves it to system:masters certificates only). */
  stats(): Promise<any>;
  /** GET /lb/metrics (Prometheus text), from the same listener. */
  metrics(): Promise<string>;
  /** Waits until `count` backends are healthy (or a predicate on the stats holds). */
  waitFor(predicate: (stats: any) => boolean, what: string, timeoutMs?: number): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `env`: added to the LB's environment (OTEL_* for the tracing test). */
export async function startLb(backends: string[], extraArgs: string[] = [], env?: NodeJS.ProcessEnv): Promise<LbProcess> {
  return startOnFreePorts(2, async ([port, statsPort]) => {
    const tls = extraArgs.some((a) => a === '--tls-cert-file' || a.startsWith('--tls-cert-file='));
    const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
    const statsUrl = `http://127.0.0.1:${statsPort}`;
    const r = startProcess({
      name: `lb on ${port}`, command: process.execPath, env,
      args: [path.join(repoRoot, 'dist/lb/main.js'), '--listen', `127.0.0.1:${port}`, '--backends', backends.join(','),
        '--stats-listen', `127.0.0.1:${statsPort}`, ...extraArgs],
    });
    const child = r.child;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const lb: LbProcess = {
      url, port, process: child,
      logs: r.output,
      stats: async () => (await fetch(`${statsUrl}/lb/stats`)).json(),
      metrics: async () => (await fetch(`${statsUrl}/lb/metrics`)).text(),
      async waitFor(predicate, what, timeoutMs = 20000) {
        try {
          await eventually(async () => r.exited() || predicate(await lb.stats()), { timeoutMs, intervalMs: 50, what });
        } catch (e) {
          throw new Error(`${(e as Error).message}: ${JSON.stringify(await lb.stats().catch(() => null))}`);
        }
        if (r.exited()) throw new Error(`lb exited: ${r.output()}`);
      },
      async stop(signal = 'SIGTERM') {
        if (r.exited()) return child.exitCode;
        await stopProcess(child, 15000, signal);
        return exited;
      },
    };
    try {
      // Its own 'serving on' line first: another LB holding the port would answer /lb/stats too.
      await waitReady(r, async () => r.output().includes(`lb: serving on ${url} `) && r.output().includes(`lb: stats on ${statsUrl}`), { timeoutMs: 20000, intervalMs: 50 });
      await lb.waitFor((s) => s.backends.filter((b: any) => b.state === 'healthy').length === backends.length, 'every backend healthy');
    } catch (e) {
      await stopProcess(child, 1000, 'SIGKILL');
      throw e;
    }
    return lb;
  });
}
