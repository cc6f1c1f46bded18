// Starts the processes a benchmark measures (etcd, API servers) on free ports with temporary data,
// and stops them all on exit, error or Ctrl-C. Starting and waiting is the launcher's (compose/local/processes.ts).
import { type ChildProcess, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readyCheck, type ProcessSpec, redisReady, type Running, startOnFreePorts, startProcess, stopProcess, waitReady } from '../../compose/local/processes.js';

export { freePort, stopProcess } from '../../compose/local/processes.js';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const started: ChildProcess[] = [];
const dirs: string[] = [];

/** A benchmark's entry point: runs `main`, stops every process it started, exits 0 or 1. */
export function runMain(main: () => Promise<void>): void {
  main().then(() => {
    stopAll();
    process.exit(0);
  }, (e) => {
    console.error(e);
    stopAll();
    process.exit(1);
  });
}

/**
 * Also kill `pid` when the runner exits: a process started elsewhere (the peer's, by peer.mjs).
 * Call the function it returns once the process is stopped, so a reused pid is never hit.
 */
export function stopOnExit(pid: number): () => void {
  adopted.add(pid);
  return () => adopted.delete(pid);
}
const adopted = new Set<number>();

/** Also remove `dir` when the runner exits (the peer's, should the runner be stopped before it). */
export function removeOnExit(dir: string): void {
  dirs.push(dir);
}

/** A child started outside this file (vegeta, watch clients) that must not outlive the runner either. */
export function stopWithRunner(child: ChildProcess): ChildProcess {
  started.push(child);
  return child;
}

export function stopAll(): void {
  for (const p of started) if (p.exitCode === null) p.kill('SIGKILL');
  for (const pid of adopted) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone (stopped by its owner)
    }
  }
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
process.on('exit', stopAll);
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));

/** Starts spec, waits until url answers; a process that does not come up is stopped before the error is thrown. */
async function startReady(spec: ProcessSpec, url: string): Promise<Running> {
  const r = startProcess(spec);
  started.push(r.child);
  try {
    await waitReady(r, readyCheck(url), { timeoutMs: 30000 });
  } catch (e) {
    await stopProcess(r.child, 1000, 'SIGKILL');
    throw e;
  }
  return r;
}

/** etcd on free ports; `binary` picks another build than the one on PATH (the 3.6 peer build). */
export async function startEtcd(binary = 'etcd'): Promise<{ url: string; pid: number }> {
  return startOnFreePorts(2, async ([port, peer]) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-etcd-'));
    dirs.push(dir);
    const url = `http://127.0.0.1:${port}`;
    const r = await startReady({
      name: 'etcd', command: binary, args: ['--data-dir', dir, '--listen-client-urls', url, '--advertise-client-urls', url,
        '--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`,
        '--initial-cluster', `default=http://127.0.0.1:${peer}`, '--log-level', 'error'],
    }, `${url}/health`);
    return { url, pid: r.child.pid! };
  });
}

/** `nodeArgs` go to node itself (--cpu-prof). */
export async function startApiServer(etcdUrl: string, extraArgs: string[] = [], nodeArgs: string[] = []): Promise<{ url: string; pid: number }> {
  return startOnFreePorts(1, ([port]) => startApiServerOn(port, etcdUrl, extraArgs, nodeArgs));
}

/** An API server on a given port: a restart in place, where a client (the LB) expects it back. `main`: another build's server (an A/B). */
export async function startApiServerOn(port: number, etcdUrl: string, extraArgs: string[] = [], nodeArgs: string[] = [],
  main = path.join(repoRoot, 'dist/server/main.js'), env?: NodeJS.ProcessEnv): Promise<{ url: string; pid: number }> {
  const url = `${extraArgs.some((a) => a.startsWith('--tls-cert-file=')) ? 'https' : 'http'}://127.0.0.1:${port}`;
  const r = await startReady({
    name: 'apiserver', command: process.execPath, env,
    args: [...nodeArgs, main, `--etcd-servers=${etcdUrl}`, `--secure-port=${port}`, '--etcd-compaction-interval=0', ...extraArgs],
  }, `${url}/readyz`);
  return { url, pid: r.child.pid! };
}

/** A redis-server with nothing on disk, for the watch fan-out. */
export async function startRedis(): Promise<{ url: string; pid: number }> {
  return startOnFreePorts(1, async ([port]) => {
    const url = `redis://127.0.0.1:${port}`;
    const r = startProcess({ name: 'redis', command: 'redis-server', args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'] });
    started.push(r.child);
    await waitReady(r, redisReady(url), { timeoutMs: 30000 });
    return { url, pid: r.child.pid! };
  });
}

/** The load balancer in front of `backend`; `nodeArgs` go to node itself (--cpu-prof). */
export async function startLb(backend: string, nodeArgs: string[] = [], extraArgs: string[] = []): Promise<{ url: string; child: ChildProcess }> {
  return startOnFreePorts(1, async ([port]) => {
    const url = `${extraArgs.some((a) => a.startsWith('--tls-cert-file=')) ? 'https' : 'http'}://127.0.0.1:${port}`;
    const r = await startReady({
      name: 'lb', command: process.execPath,
      args: [...nodeArgs, path.join(repoRoot, 'dist/lb/main.js'), '--listen', `127.0.0.1:${port}`, '--backends', backend, ...extraArgs],
    }, `${url}/lb/healthz`);
    return { url, child: r.child };
  });
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
export function cpuSeconds(pid: number): number {
  const stat = execFileSync('cat', [`/proc/${pid}/stat`], { encoding: 'utf8' });
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100;
}

/** Resident memory of a process in MiB, from /proc. */
export function rssMiB(pid: number): number {
  const m = readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+) kB/);
  return m ? Number(m[1]) / 1024 : NaN;
}

export function etcdVersion(binary = 'etcd'): string {
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8' }).split('\n')[0];
  } catch {
    return 'unknown';
  }
}
