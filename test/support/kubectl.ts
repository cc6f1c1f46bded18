// Runs the real kubectl 1.35 against a test cluster.
import { spawnSync } from 'node:child_process';
import { kubectlPath } from './cluster.js';

export interface KubectlResult { code: number; stdout: string; stderr: string }

export function kubectl(kubeconfig: string, args: string[], input?: string): KubectlResult {
  const r = spawnSync(kubectlPath, args, {
    input, encoding: 'utf8', env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 60000,
  });
  return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
}

/** The output of a kubectl run that must succeed quietly; a failure shows kubectl's own message. */
export function ok(r: KubectlResult): string {
  if (r.code !== 0 || r.stderr !== '') throw new Error(`kubectl failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}
