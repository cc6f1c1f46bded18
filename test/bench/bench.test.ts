// The benchmark's smoke run: `npm run bench -- --quick` with one second per scenario (about two
// minutes on two cores, most of it starting the peer and seeding three targets), into a temporary
// results directory. Checks that summary.json has every scenario of issue 8 for lb, single and
// kube-apiserver, with figures, and that the charts and raw results are written. Figures are not
// judged against the targets: those are printed, never asserted.
// Needs vegeta and the peer (kube-apiserver v1.35.0, etcd 3.6); the benchmark builds each on first use.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { repoRoot } from '../support/cluster.js';

const requestScenarios = ['get', 'get-rv0', 'list-100', 'list-100-limit-50', 'list-1000', 'list-1000-limit-100', 'list-1000-label', 'create', 'update', 'patch', 'mixed'];
const everyTarget = [...requestScenarios, 'watch-100', 'watch-1000'];
const out = mkdtempSync(path.join(os.tmpdir(), 'bench-test-'));
let child: ChildProcess | undefined;

afterAll(async () => {
  // The runner stops what it started when it gets SIGTERM.
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  rmSync(out, { recursive: true, force: true });
});

interface Row { name: string; target: string; rps: number; p50Ms: number; p99Ms: number; errorRate: number; [k: string]: unknown }

it('runs every scenario against lb, single and kube-apiserver and writes the summary, raw results and charts', async () => {
  let output = '';
  const code = await new Promise<number | null>((resolve) => {
    child = spawn(process.execPath, [path.join(repoRoot, 'dist/bench/main.js'), '--quick', '--seconds', '1', '--watch-seconds', '1', '--failover-seconds', '6', '--out', out],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    child.on('exit', resolve);
  });
  expect(code, output.slice(-4000)).toBe(0);

  const latest = path.join(out, 'latest');
  const summary = JSON.parse(readFileSync(path.join(latest, 'summary.json'), 'utf8')) as { scenarios: Row[]; limits: Record<string, { rps: number }> };
  for (const target of ['lb', 'single', 'kube-apiserver']) {
    for (const name of everyTarget) {
      const row = summary.scenarios.find((s) => s.name === name && s.target === target);
      expect(row, `${name} on ${target}`).toBeDefined();
      expect(row!.rps, `${name} on ${target}: rps`).toBeGreaterThan(0);
      expect(row!.p99Ms, `${name} on ${target}: p99`).toBeGreaterThanOrEqual(row!.p50Ms);
      // A scenario that fails everywhere would still be fast: every one must mostly succeed.
      expect(row!.errorRate, `${name} on ${target}: ${String(row!.firstError ?? '')}`).toBeLessThan(0.01);
    }
    expect(summary.scenarios.find((s) => s.name === 'update' && s.target === target)!.conflictRate).toBeTypeOf('number');
    expect(existsSync(path.join(latest, 'raw', target, 'get.bin')), `raw vegeta results for ${target}`).toBe(true);
  }
  const failover = summary.scenarios.filter((s) => s.name === 'failover');
  expect(failover.map((s) => s.target)).toEqual(['lb']);
  expect(failover[0].reads as number).toBeGreaterThan(0);
  for (const k of ['etcdTxn', 'etcdRead', 'uwsHello']) expect(summary.limits[k].rps, k).toBeGreaterThan(0);

  expect(readFileSync(path.join(latest, 'summary.md'), 'utf8')).toContain('| list-1000-label |');
  expect(readFileSync(path.join(latest, 'ratios.png')).subarray(0, 8)).toEqual(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
  expect(readFileSync(path.join(latest, 'plots', 'get.html'), 'utf8')).toContain('<html');
}, 15 * 60_000);
