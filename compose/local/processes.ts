// Starting, watching and stopping the launcher's child processes.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, openSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import readline from 'node:readline';
import type { ComponentSpec } from './topology.js';
import { alive, type Component } from './state.js';

export interface Running { spec: ComponentSpec; child: ChildProcess; log: string; error?: Error }

export function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

/**
 * Detached: its own process group, output only to <logDir>/<name>.log, outlives the launcher.
 * Attached: output to the log file and to the terminal, each line prefixed with the component's name.
 */
export function launch(spec: ComponentSpec, logDir: string, detach: boolean): Running {
  const log = path.join(logDir, `${spec.name}.log`);
  let child: ChildProcess;
  if (detach) {
    const fd = openSync(log, 'a');
    child = spawn(spec.command, spec.args, { detached: true, stdio: ['ignore', fd, fd] });
    child.unref();
  } else {
    child = spawn(spec.command, spec.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const file = createWriteStream(log, { flags: 'a' });
    const prefix = `[${spec.name}] `;
    for (const stream of [child.stdout!, child.stderr!]) {
      stream.pipe(file, { end: false });
      readline.createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        if (line.trim()) process.stdout.write(prefix + line + '\n');
      });
    }
  }
  const running: Running = { spec, child, log };
  // ENOENT and the like arrive as an event; keep it for waitReady instead of crashing.
  child.on('error', (e) => { running.error = e; });
  return running;
}

export async function waitReady(r: Running, timeoutMs = 60000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (r.error) {
      const hint = (r.error as NodeJS.ErrnoException).code === 'ENOENT' ? ' (not on PATH; `node scripts/ensure-deps.mjs` installs it)' : '';
      throw new Error(`${r.spec.name}: could not run ${r.spec.command}${hint}: ${r.error.message}`);
    }
    if (r.child.exitCode !== null || r.child.signalCode !== null) {
      throw new Error(`${r.spec.name} exited (${r.child.exitCode ?? r.child.signalCode}) before it was ready; see ${r.log}`);
    }
    try {
      if ((await fetch(r.spec.readyUrl, { signal: AbortSignal.timeout(2000) })).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`${r.spec.name} was not ready at ${r.spec.readyUrl} after ${timeoutMs / 1000}s; see ${r.log}`);
}

/** SIGTERM, then SIGKILL after graceMs; API servers (and the LB) before the stores they use. */
export async function stopComponents(components: Component[], graceMs = 10000): Promise<void> {
  const rank = (c: Component): number => ({ lb: 0, apiserver: 1, redis: 2, etcd: 3 })[c.role] ?? 1;
  const groups = new Map<number, Component[]>();
  for (const c of components) groups.set(rank(c), [...(groups.get(rank(c)) ?? []), c]);
  for (const r of [...groups.keys()].sort()) {
    await Promise.all(groups.get(r)!.map((c) => stopPid(c.pid, graceMs)));
  }
}

async function stopPid(pid: number, graceMs: number): Promise<void> {
  if (!pid || !alive(pid)) return;
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  if (alive(pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
