// One API server for a test file, kubectl against it, and a scratch directory for manifests; started
// before the file's tests and stopped (directory removed) after them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { startCluster, type TestCluster } from './cluster.js';
import { kubectl, type KubectlResult } from './kubectl.js';

export interface KubectlSession {
  /** Runs kubectl with these arguments. */
  k(...args: string[]): KubectlResult;
  /** Runs kubectl, expects it to succeed quietly, and returns its output. */
  ok(...args: string[]): string;
  /** Writes a manifest into the scratch directory; returns its path. */
  file(name: string, text: string): string;
}

export function kubectlSession(prefix: string, serverArgs: string[] = []): KubectlSession {
  let cluster: TestCluster | undefined;
  let dir = '';
  beforeAll(async () => {
    cluster = await startCluster(1, serverArgs);
    dir = mkdtempSync(path.join(tmpdir(), `${prefix}-`));
  });
  afterAll(async () => {
    await cluster?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const k = (...args: string[]) => kubectl(cluster!.kubeconfig, args);
  return {
    k,
    ok(...args) {
      const r = k(...args);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      return r.stdout;
    },
    file(name, text) {
      const f = path.join(dir, name);
      writeFileSync(f, text);
      return f;
    },
  };
}
