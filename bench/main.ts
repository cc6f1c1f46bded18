// The side-by-side benchmark (issue 8): brings up `lb` (3 instances + Redis + the load balancer),
// `single` (one instance) and `kube-apiserver` v1.35.0 (the peer), each on an etcd 3.6 of its own,
// one after the other; seeds the same data into each; runs the request scenarios with vegeta, the
// watch fan-out with our own clients, failover through the LB, and the raw limits (etcd3, bare
// uWS); writes bench/results/<date>/ and bench/results/latest/ (summary.json, summary.md, raw
// vegeta results, HTML plots, ratios.png). Targets to chase are printed, never asserted.
//
// The full run (the figures committed under bench/results/; ~15 minutes, loads both cores):
//   npm run bench
// A smoke run of every scenario (a few minutes): npm run bench -- --quick
// Where the time goes in ours: add --cpu-prof (profiles/<target>/*.cpuprofile and top.txt).
// Against a server that already runs:  npm run bench -- --target https://host:6443 --kubeconfig kubeconfig
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BenchOptions, parseOptions } from './options.js';
import { renderChart } from './report/chart.js';
import { summarizeProfiles } from './report/profile.js';
import { type Scenario, type Summary, renderMarkdown } from './report/summary.js';
import { runMain, rssMiB } from './runner/processes.js';
import { seed } from './runner/seed.js';
import { ensurePeerBuilt, etcdBinary, externalTarget, startTarget, type Target, type TargetName } from './runner/targets.js';
import { attack, ensureVegeta, figures, plot, readResults } from './runner/vegeta.js';
import { runFailover } from './scenarios/failover.js';
import { measureLimits } from './scenarios/limits.js';
import { requestScenarios } from './scenarios/requests.js';
import { runWatch } from './scenarios/watch.js';

const num = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : '-');

async function measureTarget(vegeta: string, t: Target, o: BenchOptions, dir: string, scenarios: Scenario[]): Promise<Record<string, unknown>> {
  const started = Date.now();
  console.log(`[${t.name}] seeding ${t.url}`);
  await seed(t);
  for (const s of requestScenarios) {
    const targets = await s.targets(t);
    const out = path.join(dir, 'raw', t.name, `${s.name}.bin`);
    const a = { name: t.name, targets, rate: 0, workers: o.workers, seconds: o.seconds, once: s.once, out };
    // Warm-up is load like any other, only not recorded; update's PUTs each succeed once, so none is spent on it.
    if (o.warmupSeconds > 0 && !s.once) await attack(vegeta, { ...a, seconds: o.warmupSeconds, out: path.join(os.tmpdir(), `bench-warmup-${process.pid}.bin`) });
    await attack(vegeta, a);
    const f = figures(readResults(vegeta, out));
    const extra = s.name === 'update' ? { conflictRate: (f.codes['409'] ?? 0) / Math.max(1, f.requests) } : {};
    scenarios.push({ name: s.name, target: t.name, rps: f.rps, p50Ms: f.p50Ms, p99Ms: f.p99Ms, errorRate: f.errorRate, requests: f.requests, codes: f.codes, ...extra, ...(f.firstError ? { firstError: f.firstError } : {}) });
    console.log(`[${t.name}] ${s.name}: ${num(f.rps)}/s p50 ${num(f.p50Ms, 2)} ms p99 ${num(f.p99Ms, 2)} ms errors ${num(f.errorRate * 100, 2)}%${f.firstError ? ` (${f.firstError})` : ''}`);
  }
  for (const n of o.watchers) {
    const w = await runWatch(t, { watchers: n, writesPerSecond: o.watchWritesPerSecond, seconds: o.watchSeconds, watchersPerProcess: 500 });
    const { rps, p50Ms, p99Ms, errorRate, ...rest } = w;
    scenarios.push({ name: `watch-${n}`, target: t.name, rps, p50Ms, p99Ms, errorRate, ...rest });
    console.log(`[${t.name}] watch-${n}: delivered ${w.delivered}/${w.expected}, p50 ${num(p50Ms, 2)} ms p99 ${num(p99Ms, 2)} ms`);
  }
  if (t.instances) {
    const f = await runFailover(vegeta, t, o.failoverRate, o.failoverSeconds, path.join(dir, 'raw', t.name, 'failover.bin'));
    const { rps, p50Ms, p99Ms, errorRate, ...rest } = f;
    scenarios.push({ name: 'failover', target: t.name, rps, p50Ms, p99Ms, errorRate, ...rest });
    console.log(`[${t.name}] failover: failed reads ${f.failedReads}/${f.reads}, writes ${f.failedWrites}/${f.writes}, p99 during fault ${num(f.p99DuringFaultMs, 1)} ms, throughput back after ${num(f.secondsUntilThroughputBack, 2)} s`);
  }
  const rss = t.apiserverPids().map(rssMiB);
  return { name: t.name, url: t.url, etcdVersion: t.etcdVersion, rssMiBPerInstance: rss, seconds: (Date.now() - started) / 1000 };
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const vegeta = ensureVegeta();
  // Every target we start runs on the peer's etcd 3.6, and so do the limits.
  await ensurePeerBuilt(o.targets.includes('kube-apiserver'));
  const date = new Date().toISOString();
  const dir = path.join(o.out, date.replace(/\.\d+Z$/, 'Z').replace(/:/g, '-'));
  mkdirSync(dir, { recursive: true });
  const scenarios: Scenario[] = [];
  const targets: Array<Record<string, unknown>> = [];
  const names = o.external ? [o.external.name] : o.targets;
  console.log(`bench${o.quick ? ' --quick' : ''}: ${names.join(', ')}; ${o.seconds}s per scenario, ${o.workers} workers; results in ${dir}`);
  for (const name of names) {
    const t = o.external ? externalTarget(o.external.url, o.external.kubeconfig, o.external.name) : await startTarget(name as TargetName, o.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${path.join(dir, 'profiles', name)}`] : []);
    try {
      targets.push(await measureTarget(vegeta, t, o, dir, scenarios));
    } finally {
      await t.stop();
    }
    // node writes a profile when the process exits, so only now that the target is stopped.
    const profiles = path.join(dir, 'profiles', name);
    if (o.cpuProf && existsSync(profiles)) summarizeProfiles(profiles);
  }
  console.log('limits: raw etcd and bare uWS');
  const limits = await measureLimits(vegeta, await etcdBinary(), { seconds: o.seconds, workers: o.workers, outDir: dir });

  const plots = path.join(dir, 'plots');
  mkdirSync(plots, { recursive: true });
  for (const s of [...requestScenarios.map((r) => r.name), 'failover']) {
    const files = names.map((n) => path.join(dir, 'raw', n, `${s}.bin`)).filter((f) => existsSync(f));
    if (files.length) plot(vegeta, `${s}: latency per request`, files, path.join(plots, `${s}.html`));
  }
  const machine = {
    cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))), node: process.version, platform: `${os.platform()} ${os.release()}`,
  };
  const summary: Summary = { date, quick: o.quick, machine, options: { ...o, external: o.external ? { ...o.external, kubeconfig: undefined } : undefined }, targets, scenarios, limits };
  writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  const md = renderMarkdown(summary);
  writeFileSync(path.join(dir, 'summary.md'), md);
  writeFileSync(path.join(dir, 'ratios.png'), renderChart(summary));
  const latest = path.join(o.out, 'latest');
  rmSync(latest, { recursive: true, force: true });
  cpSync(dir, latest, { recursive: true });
  console.log(`\n${md}\nsaved ${dir} and ${latest}`);
}

runMain(main);
