// The benchmark's command line: one typed options object, the full run's settings by default and
// --quick's where asked; any single setting can still be given on top of either.
import path from 'node:path';
import { repoRoot } from './runner/processes.js';
import { type TargetName, targetNames } from './runner/targets.js';

export interface BenchOptions {
  quick: boolean;
  targets: TargetName[];
  /** --target URL: measure a server that is already running instead (with --kubeconfig for its token). */
  external?: { url: string; kubeconfig?: string; name: string };
  /** Seconds per request scenario and target. */
  seconds: number;
  /** vegeta workers for the max-rate attacks (and etcd client concurrency for the limits). */
  workers: number;
  /** Seconds of discarded load before each measured attack. */
  warmupSeconds: number;
  watchers: number[];
  watchWritesPerSecond: number;
  watchSeconds: number;
  failoverSeconds: number;
  failoverRate: number;
  /** Profile our API servers and LB (node --cpu-prof) into <date>/profiles/<target>/. */
  cpuProf: boolean;
  /** Results root: <out>/<date>/ and <out>/latest/. */
  out: string;
}

const usage = `usage: npm run bench -- [--quick] [--targets lb,single,kube-apiserver] [--target URL --kubeconfig FILE [--target-name N]]
  [--seconds N] [--workers N] [--warmup-seconds N] [--watchers 100,1000] [--watch-rate N] [--watch-seconds N]
  [--failover-seconds N] [--failover-rate N] [--cpu-prof] [--out bench/results]`;

export function parseOptions(argv: string[]): BenchOptions {
  const quick = argv.includes('--quick');
  const o: BenchOptions = quick
    ? { quick, targets: [...targetNames], seconds: 2, workers: 8, warmupSeconds: 0, watchers: [100, 1000], watchWritesPerSecond: 20, watchSeconds: 2, failoverSeconds: 9, failoverRate: 100, cpuProf: false, out: path.join(repoRoot, 'bench/results') }
    : { quick, targets: [...targetNames], seconds: 15, workers: 32, warmupSeconds: 2, watchers: [100, 1000], watchWritesPerSecond: 50, watchSeconds: 15, failoverSeconds: 30, failoverRate: 300, cpuProf: false, out: path.join(repoRoot, 'bench/results') };
  let kubeconfig: string | undefined;
  let url: string | undefined;
  let name = 'external';
  const positive = (k: string, v: string) => {
    const n = Number(v);
    if (!(n > 0)) throw new Error(`${k} must be a positive number, got ${v}\n${usage}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const [k, inline] = argv[i].split(/=(.*)/s, 2);
    const v = () => inline ?? argv[++i] ?? '';
    if (k === '--quick') continue;
    else if (k === '--targets') {
      const names = v().split(',');
      const bad = names.filter((n) => !targetNames.includes(n as TargetName));
      if (bad.length) throw new Error(`unknown target ${bad.join(', ')}; known: ${targetNames.join(', ')}`);
      o.targets = names as TargetName[];
    } else if (k === '--target') url = v();
    else if (k === '--kubeconfig') kubeconfig = path.resolve(v());
    else if (k === '--target-name') name = v();
    else if (k === '--seconds') o.seconds = positive(k, v());
    else if (k === '--workers') o.workers = positive(k, v());
    else if (k === '--warmup-seconds') o.warmupSeconds = Number(v());
    else if (k === '--watchers') o.watchers = v().split(',').map((n) => positive(k, n));
    else if (k === '--watch-rate') o.watchWritesPerSecond = positive(k, v());
    else if (k === '--watch-seconds') o.watchSeconds = positive(k, v());
    else if (k === '--failover-seconds') o.failoverSeconds = positive(k, v());
    else if (k === '--failover-rate') o.failoverRate = positive(k, v());
    else if (k === '--out') o.out = path.resolve(v());
    else if (k === '--cpu-prof') o.cpuProf = true;
    else if (k === '--help' || k === '-h') {
      console.log(usage);
      process.exit(0);
    } else throw new Error(`unknown option ${argv[i]}\n${usage}`);
  }
  if (url) {
    o.external = { url, kubeconfig, name };
    o.targets = [];
  }
  return o;
}
