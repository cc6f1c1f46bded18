// Runs the real local launcher (dist/compose/launcher.js), as `npm start` / `npm stop` do, for tests.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from './cluster.js';

export const launcherPath = path.join(repoRoot, 'dist/compose/launcher.js');

export interface LauncherResult { code: number; stdout: string; stderr: string }

/** Runs the launcher to completion; with --detach it returns once the control plane is ready. */
export function runLauncher(args: string[]): Promise<LauncherResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [launcherPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}
