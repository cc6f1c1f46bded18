// Starts the processes a benchmark measures (etcd, API servers) on free ports with temporary data,
// and stops them all on exit, error or Ctrl-C.
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const started: ChildProcess[] = [];
const dirs: string[] = [];

export function stopAll(): void {
  for (const p of started) if (p.exitCode === null) p.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
}
process.on('exit', stopAll);
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

async function waitHttp(url: string, child: ChildProcess, what: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`${what} exited`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // starting
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what} not ready`);
}

export async function startEtcd(): Promise<{ url: string; pid: number }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-etcd-'));
  dirs.push(dir);
  const port = await freePort();
  const peer = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawn('etcd', ['--data-dir', dir, '--listen-client-urls', url, '--advertise-client-urls', url,
    '--listen-peer-urls', `http://127.0.0.1:${peer}`, '--initial-advertise-peer-urls', `http://127.0.0.1:${peer}`,
    '--initial-cluster', `default=http://127.0.0.1:${peer}`, '--log-level', 'error'], { stdio: 'ignore' });
  started.push(child);
  await waitHttp(`${url}/health`, child, 'etcd');
  return { url, pid: child.pid! };
}

export async function startApiServer(etcdUrl: string): Promise<{ url: string; pid: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(repoRoot, 'dist/server/main.js'), `--etcd-servers=${etcdUrl}`, `--secure-port=${port}`, '--etcd-compaction-interval=0'], { stdio: 'ignore' });
  started.push(child);
  const url = `http://127.0.0.1:${port}`;
  await waitHttp(`${url}/readyz`, child, 'apiserver');
  return { url, pid: child.pid! };
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
export function cpuSeconds(pid: number): number {
  const stat = execFileSync('cat', [`/proc/${pid}/stat`], { encoding: 'utf8' });
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks / 100;
}

export function etcdVersion(): string {
  try {
    return execFileSync('etcd', ['--version'], { encoding: 'utf8' }).split('\n')[0];
  } catch {
    return 'unknown';
  }
}
