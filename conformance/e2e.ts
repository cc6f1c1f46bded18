// Kubernetes' e2e suite as one test binary (e2e.test, built once by compose/kube/build.sh from the pinned
// k8s.io/kubernetes module) and one run of it against a kubeconfig, with the flags kube's conformance
// image passes (test/conformance/image/go-runner): --provider, --disable-log-dump, ginkgo's focus and skip.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { kubeVersion } from '../compose/local/controllers.js';

const cache = process.env.PEER_CACHE ?? path.join(os.homedir(), '.cache/kube-apiserver-ts/peer');

export const e2eBinary = (): string => process.env.E2E_TEST ?? path.join(cache, kubeVersion, 'e2e.test');

/** Builds e2e.test when it is missing (once; the longest Go build of them all), with the build's output on our stderr. */
export async function ensureE2eBinary(repoRoot: string): Promise<string> {
  const bin = e2eBinary();
  if (existsSync(bin)) return bin;
  console.error(`building e2e.test ${kubeVersion} once with Go (compose/kube/build.sh e2e.test); cached as ${bin}`);
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn('bash', [path.join(repoRoot, 'compose/kube/build.sh'), 'e2e.test'], { stdio: ['ignore', process.stderr, process.stderr] });
    child.on('error', reject);
    child.on('exit', (c) => resolve(c ?? 1));
  });
  if (code !== 0 || !existsSync(bin)) throw new Error(`building e2e.test failed (exit ${code}); see the output above`);
  return bin;
}

export interface E2eRun {
  kubeconfig: string;
  focus: string;
  skip: string;
  /** Ginkgo's whole-suite timeout (its default, 1h, is short of the 70 specs on a busy machine). */
  timeout: string;
  kwokNodes: number;
  /** Where the reports and e2e.log go. */
  dir: string;
  /** Also show e2e.test's output on our stdout. */
  echo: boolean;
  /** ginkgo -v: every spec's steps and log lines, not only the failures'. */
  verbose: boolean;
}

/** Runs the focused specs one after another; resolves with e2e.test's exit code (1 when a spec failed). */
export function runE2e(bin: string, run: E2eRun): Promise<number> {
  const args = [
    `--kubeconfig=${run.kubeconfig}`, '--provider=skeleton', `--num-nodes=${run.kwokNodes}`, '--disable-log-dump',
    `--ginkgo.focus=${run.focus}`, `--ginkgo.skip=${run.skip}`, `--ginkgo.timeout=${run.timeout}`, '--ginkgo.no-color', '--ginkgo.silence-skips',
    `--ginkgo.json-report=${path.join(run.dir, 'report.json')}`, `--ginkgo.junit-report=${path.join(run.dir, 'junit.xml')}`,
    ...(run.verbose ? ['--ginkgo.v'] : []),
  ];
  const log = createWriteStream(path.join(run.dir, 'e2e.log'));
  log.write(`${bin} ${args.join(' ')}\n`);
  return new Promise((resolve, reject) => {
    // The runner's own working directory: e2e.test reads its manifests from the binary, not the tree.
    const child = spawn(bin, args, { cwd: run.dir, stdio: ['ignore', 'pipe', 'pipe'] });
    for (const stream of [child.stdout, child.stderr]) {
      stream.pipe(log, { end: false });
      if (run.echo) stream.on('data', (d: Buffer) => process.stdout.write(d));
    }
    child.on('error', reject);
    child.on('close', (code, signal) => log.end(() => resolve(code ?? (signal ? 128 : 1))));
  });
}
