// `npm run conformance`: Kubernetes' own conformance specs (kube's e2e.test v1.35.0) against this project's
// default topology with the real kube-controller-manager, kube-scheduler and kwok nodes; with --peer also
// against kube-apiserver v1.35.0 with the same three, one after the other, so one table shows both.
//   npm run conformance                                  # [sig-api-machinery] [Conformance], no webhooks/aggregator
//   npm run conformance -- --peer                        # and kube-apiserver beside it
//   npm run conformance -- --focus 'Watchers' --skip 'restart'
//   npm run conformance -- --kubeconfig ~/.kube/config   # any server already running
// Results: conformance/results/<date>/ and latest/ (summary.json, summary.md, <target>/report.json, junit.xml, e2e.log).
// Exit 1 when a spec listed in conformance/expected-passing.txt ran and did not pass, or the run broke.
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureControllerBinaries, kubeVersion } from '../compose/local/controllers.js';
import { ensureE2eBinary, runE2e } from './e2e.js';
import { readExpected, regressions } from './expected.js';
import { summariseJsonReport, type TargetSummary, trimJUnitReport } from './reports.js';
import { markdownSummary } from './summary-md.js';
import { externalTarget, oursTarget, peerTarget, type Target, type TargetOptions } from './targets.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export const defaultFocus = '\\[sig-api-machinery\\].*\\[Conformance\\]';
export const defaultSkip = 'AdmissionWebhook|ConversionWebhook|Aggregator|\\[Disruptive\\]';

interface Options {
  focus: string;
  skip: string;
  kubeconfig?: string;
  peer: boolean;
  /** Results root: <results>/<date>/ and <results>/latest/. */
  results: string;
  timeout: string;
  kwokNodes: number;
  keep: boolean;
  quiet: boolean;
  verbose: boolean;
  /** With --peer: both targets at once (about half the time; the two share the machine). */
  concurrent: boolean;
  expected: string;
}

const usage = `usage: npm run conformance -- [--focus RE] [--skip RE] [--kubeconfig FILE] [--peer] [--results DIR]
  [--concurrent] [--timeout 4h] [--kwok-nodes 2] [--keep-cluster] [--quiet] [--verbose] [--expected FILE]`;

function parseArgs(argv: string[]): Options {
  const o: Options = {
    focus: defaultFocus, skip: defaultSkip, peer: false, results: path.join(repoRoot, 'conformance/results'), timeout: '4h',
    kwokNodes: 2, keep: false, quiet: false, verbose: false, concurrent: false, expected: path.join(repoRoot, 'conformance/expected-passing.txt'),
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = (): string => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value\n${usage}`);
      return v;
    };
    switch (flag) {
      case '--focus': o.focus = value(); break;
      case '--skip': o.skip = value(); break;
      case '--kubeconfig': o.kubeconfig = value(); break;
      case '--peer': o.peer = true; break;
      case '--results': o.results = path.resolve(value()); break;
      case '--timeout': o.timeout = value(); break;
      case '--kwok-nodes': o.kwokNodes = Number(value()); break;
      case '--keep-cluster': o.keep = true; break;
      case '--quiet': o.quiet = true; break;
      case '--verbose': o.verbose = true; break;
      case '--concurrent': o.concurrent = true; break;
      case '--expected': o.expected = path.resolve(value()); break;
      case '--help': case '-h': console.log(usage); process.exit(0); break;
      default: throw new Error(`unknown option ${argv[i]}\n${usage}`);
    }
  }
  return o;
}

interface TargetRun { target: string; summary: TargetSummary; seconds: number; dir: string }

/** Starts the target, runs the specs against it, stops it, and summarises ginkgo's reports. */
async function runAgainst(start: () => Promise<Target>, bin: string, o: Options, work: string): Promise<TargetRun> {
  const t0 = Date.now();
  const target = await start();
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= target.stop());
  const onSignal = () => { void stop().then(() => process.exit(130)); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const dir = path.join(work, target.name);
  mkdirSync(dir, { recursive: true });
  try {
    console.log(`running e2e.test ${kubeVersion} against ${target.name}: focus ${o.focus}, skip ${o.skip} (log: ${path.join(dir, 'e2e.log')})`);
    const echo = !o.quiet && !(o.concurrent && o.peer);
    const code = await runE2e(bin, { kubeconfig: target.kubeconfig, focus: o.focus, skip: o.skip, timeout: o.timeout, kwokNodes: o.kwokNodes, dir, echo, verbose: o.verbose });
    if (!existsSync(path.join(dir, 'report.json'))) throw new Error(`e2e.test exited ${code} without a report; see ${path.join(dir, 'e2e.log')}`);
  } finally {
    await stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  const summary = summariseJsonReport(path.join(dir, 'report.json'));
  if (existsSync(path.join(dir, 'junit.xml'))) trimJUnitReport(path.join(dir, 'junit.xml'));
  const seconds = Math.round((Date.now() - t0) / 1000);
  console.log(`${target.name}: ${summary.passed} passed, ${summary.failed} failed, ${summary.skipped} skipped of ${summary.total} (${seconds} s)`);
  return { target: target.name, summary, seconds, dir };
}

async function main(): Promise<number> {
  const o = parseArgs(process.argv.slice(2));
  const bin = await ensureE2eBinary(repoRoot);
  if (!o.kubeconfig || o.peer) await ensureControllerBinaries(repoRoot);
  const targetOpts: TargetOptions = { repoRoot, kwokNodes: o.kwokNodes, keep: o.keep };
  const work = mkdtempSync(path.join(os.tmpdir(), 'conformance-run-'));
  const started = new Date();
  const primary = () => runAgainst(() => (o.kubeconfig ? Promise.resolve(externalTarget(o.kubeconfig)) : oursTarget(targetOpts)), bin, o, work);
  const peer = () => runAgainst(() => peerTarget(targetOpts), bin, o, work);
  // By default one after the other, so neither control plane's timings suffer from the other's load.
  const runs: TargetRun[] = !o.peer ? [await primary()] : o.concurrent ? await Promise.all([primary(), peer()]) : [await primary(), await peer()];

  const [main, other] = runs;
  const summary = {
    date: started.toISOString(), e2e: kubeVersion, focus: o.focus, skip: o.skip, target: main.target, seconds: main.seconds,
    ...main.summary,
    ...(other ? { peer: { target: other.target, seconds: other.seconds, ...other.summary } } : {}),
  };
  writeFileSync(path.join(work, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  writeFileSync(path.join(work, 'summary.md'), markdownSummary(runs.map((r) => ({ target: r.target, seconds: r.seconds, summary: r.summary })), {
    date: started, focus: o.focus, skip: o.skip, command: ['npm run conformance', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2).map(shellQuote)] : [])].join(' '),
  }));
  const dated = path.join(o.results, started.toISOString().slice(0, 10));
  for (const dest of [dated, path.join(o.results, 'latest')]) {
    rmSync(dest, { recursive: true, force: true });
    mkdirSync(path.dirname(dest), { recursive: true });
    cpSync(work, dest, { recursive: true });
  }
  rmSync(work, { recursive: true, force: true });
  console.log(`results: ${dated} (and ${path.join(o.results, 'latest')})`);
  for (const r of runs) if (r.summary.suiteFailure) console.error(`${r.target}: the suite failed outside any spec: ${r.summary.suiteFailure}`);

  // Only the primary target is held to the list: it is this project's record of what passes today.
  const expected = existsSync(o.expected) ? readExpected(readFileSync(o.expected, 'utf8')) : [];
  const lost = regressions(expected, main.summary.specs);
  if (lost.length) {
    console.error(`${lost.length} spec(s) in ${path.relative(repoRoot, o.expected)} did not pass:`);
    for (const s of lost) console.error(`  ${s.name}: ${s.state}${s.failure ? ` — ${s.failure.split('\n')[0]}` : ''}`);
  }
  return lost.length || runs.some((r) => r.summary.suiteFailure || r.summary.total === 0) ? 1 : 0;
}

const shellQuote = (a: string) => (/^[\w./=:-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

main().then((code) => process.exit(code), (e: Error) => {
  console.error(e.message);
  process.exit(1);
});
