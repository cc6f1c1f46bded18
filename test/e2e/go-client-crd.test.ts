// client-go's apiextensions clientset configured for protobuf (test/e2e/go/crd-client, built here with
// Go against client-go and apiextensions-apiserver v0.35.0) creates, lists and watches CRDs: the
// protobuf definitions of apiextensions.k8s.io/v1 come from the k8s.io/apiextensions-apiserver module.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startCluster, type TestCluster } from '../support/cluster.js';

let cluster: TestCluster;
let buildDir: string;
let binary: string;

beforeAll(async () => {
  buildDir = mkdtempSync(path.join(os.tmpdir(), 'crd-go-client-'));
  cpSync(path.join(repoRoot, 'test/e2e/go/crd-client'), buildDir, { recursive: true });
  binary = path.join(buildDir, 'crd-client');
  // A cold module and build cache takes minutes on a shared 2-core machine.
  execFileSync('go', ['build', '-o', binary, '.'], {
    cwd: buildDir, stdio: 'pipe', timeout: 15 * 60 * 1000,
    env: { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local', GOWORK: 'off' },
  });
  cluster = await startCluster(1);
}, 16 * 60 * 1000);
afterAll(async () => {
  await cluster?.stop();
  if (buildDir) rmSync(buildDir, { recursive: true, force: true });
});

describe('Go client, protobuf', () => {
  it('creates, watches and lists CRDs with a protobuf apiextensions clientset', () => {
    const r = spawnSync(binary, [cluster.url], { encoding: 'utf8', timeout: 90000 });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^created gadgets\.go\.example\.com uid=[0-9a-f-]{36}$/);
    expect(lines.slice(1)).toEqual([
      'schema size.minimum=0 size.default=3 color.enum=2 labels.additionalProperties.type=string extra.preserve=true',
      'watched ADDED gadgets.go.example.com',
      'listed gadgets.go.example.com established=true',
      'watched DELETED gadgets.go.example.com',
      'sent application/vnd.kubernetes.protobuf',
    ]);
  });
});
