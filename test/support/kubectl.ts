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
