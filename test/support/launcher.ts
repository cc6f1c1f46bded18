// Runs the real local launcher (dist/compose/launcher.js), as `npm start` / `npm stop` do, for tests.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from '../../compose/local/options.js';
import { repoRoot } from './cluster.js';
import { freePort, freeRange } from './ports.js';

export const launcherPath = path.join(repoRoot, 'dist/compose/launcher.js');

export interface LauncherResult { code: number; stdout: string; stderr: string }

/** Runs the launcher to completion; with --detach it returns once the control plane is ready. */
export function runLauncher(args: string[], env?: NodeJS.ProcessEnv): Promise<LauncherResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [launcherPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: env ? { ...process.env, ...env } : process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export interface LauncherCluster {
  dir: string;
  /** The LB's port; API server i at port + i. */
  port: number;
  etcdPort: number;
  redisPort: number;
  started: LauncherResult;
}

/**
 * `start --detach` on free ports and a fresh cluster directory, with `args` (the topology: --apiservers, --etcd-members,
 * --controllers, --plain-http...). The ranges follow the launcher's own layout: the LB, the API servers, the controllers'
 * three ports and the front-proxy listeners; two ports an etcd member. A port another test's process took since it was
 * picked gets new ones, twice at most; the last result is returned either way (check `started.code`).
 */
export async function startLauncherOnFreePorts(dirPrefix: string, args: string[], env?: NodeJS.ProcessEnv): Promise<LauncherCluster> {
  const opts = parseArgs(['start', ...args], repoRoot);
  for (let attempt = 1; ; attempt++) {
    const dir = mkdtempSync(path.join(os.tmpdir(), dirPrefix));
    const port = await freeRange(2 * opts.apiservers + 4);
    const etcdPort = await freeRange(2 * opts.etcdMembers);
    const redisPort = await freePort();
    const started = await runLauncher(['start', '--detach', `--port=${port}`, `--etcd-port=${etcdPort}`, `--redis-port=${redisPort}`, `--cluster-dir=${dir}`, ...args], env);
    if (started.code === 0 || attempt === 3 || !/already in use|before it was ready/.test(started.stderr)) return { dir, port, etcdPort, redisPort, started };
    if (existsSync(path.join(dir, 'state.json'))) await runLauncher(['stop', `--cluster-dir=${dir}`]);
    rmSync(dir, { recursive: true, force: true });
  }
}
