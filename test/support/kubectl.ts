// Runs the real kubectl 1.35 against a test cluster.
import { spawn, spawnSync } from 'node:child_process';
import { kubectlPath } from './cluster.js';

export interface KubectlResult { code: number; stdout: string; stderr: string }

export function kubectl(kubeconfig: string, args: string[], input?: string): KubectlResult {
  const r = spawnSync(kubectlPath, args, {
    input, encoding: 'utf8', env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 60000,
  });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** As kubectl, without blocking the test's event loop (a server in the test process, a webhook, must go on answering). */
export function kubectlAsync(kubeconfig: string, args: string[], input?: string): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(kubectlPath, args, { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 60000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** The output of a kubectl run that must succeed quietly; a failure shows kubectl's own message. */
export function ok(r: KubectlResult): string {
  if (r.code !== 0 || r.stderr !== '') throw new Error(`kubectl failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}
