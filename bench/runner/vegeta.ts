// vegeta, the HTTP load generator (Go, MIT; k6 is AGPL and may not be used here): built once into
// a cache directory, then driven with JSON targets. Results stay in vegeta's own binary format (the
// raw results kept under bench/results/) and are read back through `vegeta encode` for the figures.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { stopWithRunner } from './processes.js';
import { percentile } from './stats.js';

export const VEGETA_VERSION = 'v12.13.0';
const cacheDir = path.join(os.homedir(), '.cache/kube-apiserver-ts/tools', `vegeta-${VEGETA_VERSION}`);

/** The vegeta binary: $VEGETA, else the cached build, built with `go install` on first use. */
export function ensureVegeta(): string {
  if (process.env.VEGETA) return process.env.VEGETA;
  const binary = path.join(cacheDir, 'vegeta');
  if (existsSync(binary)) return binary;
  mkdirSync(cacheDir, { recursive: true });
  console.log(`building vegeta ${VEGETA_VERSION} into ${cacheDir} (once)...`);
  execFileSync('go', ['install', `github.com/tsenart/vegeta/v12@${VEGETA_VERSION}`], {
    stdio: 'inherit', env: { ...process.env, GOBIN: cacheDir, GOFLAGS: '-buildvcs=false' },
  });
  return binary;
}

/** One request in vegeta's JSON target format (the body is base64 there; plain text here). */
export interface Target {
  method: string;
  url: string;
  body?: string;
  header?: Record<string, string[]>;
}

export interface Attack {
  /** The series name in vegeta's plot: the target (lb, single, kube-apiserver). */
  name: string;
  targets: Target[];
  /** Requests per second; 0 means as fast as `workers` allow (a max-rate attack). */
  rate: number;
  workers: number;
  seconds: number;
  /** Use each target once and stop when they run out (update: one PUT per resourceVersion). */
  once?: boolean;
  /** The raw results file to write. */
  out: string;
  /** A client certificate and key (PEM files) to present over TLS. */
  clientCert?: { certFile: string; keyFile: string };
}

/** Runs one attack; resolves when vegeta has written `out`. */
export function attack(vegeta: string, a: Attack): Promise<void> {
  mkdirSync(path.dirname(a.out), { recursive: true });
  // Targets go to a temporary file (patch and update write thousands); the results are what is kept.
  const targetsFile = path.join(os.tmpdir(), `bench-targets-${process.pid}-${a.name}-${path.basename(a.out)}.jsonl`);
  writeFileSync(targetsFile, a.targets.map((t) => JSON.stringify({
    method: t.method, url: t.url, header: t.header ?? {}, ...(t.body ? { body: Buffer.from(t.body).toString('base64') } : {}),
  })).join('\n') + '\n');
  const args = ['attack', '-format=json', `-targets=${targetsFile}`, `-name=${a.name}`, `-duration=${a.seconds}s`,
    `-rate=${a.rate}/s`, `-workers=${a.workers}`, '-insecure', '-max-body=0', '-timeout=30s', `-output=${a.out}`];
  // A max-rate attack must bound its workers; a constant-rate one may add workers to keep the rate.
  if (a.rate === 0) args.push(`-max-workers=${a.workers}`);
  if (a.once) args.push('-lazy');
  if (a.clientCert) args.push(`-cert=${a.clientCert.certFile}`, `-key=${a.clientCert.keyFile}`);
  return new Promise((resolve, reject) => {
    const child = stopWithRunner(spawn(vegeta, args, { stdio: ['ignore', 'ignore', 'pipe'] }));
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => {
      rmSync(targetsFile, { force: true });
      if (code === 0) resolve();
      else reject(new Error(`vegeta attack exited ${code}: ${stderr.trim()}`));
    });
  });
}

/** One result: when it started (ms since the attack began), how long it took, what came back. */
export interface Sample { atMs: number; latencyMs: number; code: number; method: string; error: string }

// What lazy targeting reports as the last result when the targets run out: the end, not a failure.
const noTargets = 'no targets to attack';

/** The results of one attack, in the order they started. */
export function readResults(vegeta: string, file: string): Sample[] {
  const text = execFileSync(vegeta, ['encode', '--to=json', file], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const rows = text.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { timestamp: string; latency: number; code: number; method: string; error: string });
  const kept = rows.filter((r) => r.error !== noTargets);
  if (!kept.length) return [];
  const t0 = kept.reduce((m, r) => Math.min(m, Date.parse(r.timestamp)), Infinity);
  return kept.map((r) => ({ atMs: Date.parse(r.timestamp) - t0, latencyMs: r.latency / 1e6, code: r.code, method: r.method, error: r.error }))
    .sort((a, b) => a.atMs - b.atMs);
}

export interface HttpFigures {
  requests: number;
  /** Successful (2xx) responses per second over the attack's wall time. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  /** Share of requests that did not get a 2xx. */
  errorRate: number;
  /** Status codes and how often each came back (0: no response). */
  codes: Record<string, number>;
  firstError?: string;
}

/** Throughput, latency and errors of a set of samples. */
export function figures(samples: Sample[]): HttpFigures {
  const codes: Record<string, number> = {};
  for (const s of samples) codes[s.code] = (codes[s.code] ?? 0) + 1;
  const ok = samples.filter((s) => s.code >= 200 && s.code < 300).length;
  const wallMs = samples.reduce((m, s) => Math.max(m, s.atMs + s.latencyMs), 0) - (samples[0]?.atMs ?? 0);
  const latencies = samples.map((s) => s.latencyMs).sort((a, b) => a - b);
  const failed = samples.find((s) => s.code < 200 || s.code >= 300);
  return {
    requests: samples.length, rps: wallMs > 0 ? ok / (wallMs / 1000) : 0,
    p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99),
    errorRate: samples.length ? (samples.length - ok) / samples.length : 1, codes,
    ...(failed ? { firstError: `${failed.method} ${failed.code} ${failed.error}`.trim() } : {}),
  };
}

/** vegeta's HTML latency plot of several attacks (one series each). */
export function plot(vegeta: string, title: string, files: string[], out: string): void {
  const html = execFileSync(vegeta, ['plot', `-title=${title}`, ...files], { encoding: 'utf8', maxBuffer: 1 << 30 });
  writeFileSync(out, html);
}
