// Starts the real load balancer (dist/lb/main.js) in front of test API servers, and stops it afterwards.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './cluster.js';
import { freePort } from './ports.js';

export interface LbProcess {
  url: string;
  port: number;
  process: ChildProcess;
  logs(): string;
  /** GET /lb/stats. */
  stats(): Promise<any>;
  /** Waits until `count` backends are healthy (or a predicate on the stats holds). */
  waitFor(predicate: (stats: any) => boolean, what: string, timeoutMs?: number): Promise<void>;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startLb(backends: string[], extraArgs: string[] = []): Promise<LbProcess> {
  const port = await freePort();
  const out: string[] = [];
  const child = spawn(process.execPath, [path.join(repoRoot, 'dist/lb/main.js'), '--listen', `127.0.0.1:${port}`, '--backends', backends.join(','), ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d) => out.push(String(d)));
  child.stderr!.on('data', (d) => out.push(String(d)));
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const lb: LbProcess = {
    url, port, process: child,
    logs: () => out.join(''),
    stats: async () => (await fetch(`${url}/lb/stats`)).json(),
    async waitFor(predicate, what, timeoutMs = 20000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (child.exitCode !== null) throw new Error(`lb exited: ${out.join('')}`);
        try {
          if (predicate(await lb.stats())) return;
        } catch {
          // not listening yet
        }
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(await lb.stats().catch(() => null))}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const timer = setTimeout(() => child.kill('SIGKILL'), 15000);
      child.kill(signal);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  await lb.waitFor((s) => s.backends.filter((b: any) => b.state === 'healthy').length === backends.length, 'every backend healthy');
  return lb;
}
