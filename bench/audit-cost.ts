// The cost of auditing: the same requests against one API server without audit and one writing
// every request at Metadata to a log file (blocking mode: a synchronous append per stage), side by
// side on one etcd, rounds alternated. Prints req/s, p50/p99 and the audited server's CPU per request.
//   node dist/bench/audit-cost.js [--concurrency 16] [--duration-seconds 5] [--rounds 2] [--out bench/results]
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request } from './runner/http.js';
import { cpuSeconds, removeOnExit, repoRoot, runMain, startApiServer, startEtcd } from './runner/processes.js';
import { type Figures, runFor, summarize } from './runner/stats.js';

interface Options { concurrency: number; seconds: number; rounds: number; out: string }

function parseOptions(argv: string[]): Options {
  const o: Options = { concurrency: 16, seconds: 5, rounds: 2, out: path.join(repoRoot, 'bench/results') };
  for (let i = 0; i < argv.length; i++) {
    const [k, inline] = argv[i].split(/=(.*)/s, 2);
    const v = () => inline ?? argv[++i];
    if (k === '--concurrency') o.concurrency = Number(v());
    else if (k === '--duration-seconds') o.seconds = Number(v());
    else if (k === '--rounds') o.rounds = Number(v());
    else if (k === '--out') o.out = path.resolve(v());
    else throw new Error(`unknown option ${argv[i]}`);
  }
  return o;
}

type Side = Figures & { cpuUsPerRequest: number };

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'audit-cost-'));
  removeOnExit(dir);
  const policy = path.join(dir, 'policy.yaml');
  writeFileSync(policy, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Metadata\n');
  const log = path.join(dir, 'audit.log');
  const etcd = await startEtcd();
  const plain = await startApiServer(etcd.url);
  const audited = await startApiServer(etcd.url, [`--audit-policy-file=${policy}`, `--audit-log-path=${log}`]);
  console.log(`plain ${plain.url}, audited ${audited.url} (Metadata, log ${log}); concurrency ${opts.concurrency}, ${opts.seconds}s x ${opts.rounds} rounds per side`);
  await request(plain.url, 'POST', '/api/v1/namespaces', JSON.stringify({ metadata: { name: 'bench-audit' } }));
  const p = '/api/v1/namespaces/bench-audit/configmaps';
  await request(plain.url, 'POST', p, JSON.stringify({ metadata: { name: 'one' }, data: { k: 'v'.repeat(1024) } }));
  let created = 0;
  const ops = {
    'GET one ConfigMap': (base: string) => () => request(base, 'GET', `${p}/one`).then(() => undefined),
    'POST a ConfigMap': (base: string) => () => request(base, 'POST', p, JSON.stringify({ metadata: { name: `c-${created++}` }, data: { k: 'v' } })).then(() => undefined),
  };
  const servers = { plain, audited };
  const lines: string[] = [];
  const results: Record<string, Record<string, Side>> = {};
  for (const [name, op] of Object.entries(ops)) {
    await runFor(1, opts.concurrency, op(plain.url));
    await runFor(1, opts.concurrency, op(audited.url));
    const runs: Record<string, { latencies: number[]; seconds: number; errors: number; cpu: number; firstError?: string }[]> = { plain: [], audited: [] };
    for (let r = 0; r < opts.rounds; r++) {
      for (const [side, s] of Object.entries(servers)) {
        const latencies: number[] = [];
        const cpu0 = cpuSeconds(s.pid);
        const f = await runFor(opts.seconds, opts.concurrency, async () => {
          const t0 = performance.now();
          await op(s.url)();
          latencies.push(performance.now() - t0);
        });
        runs[side].push({ latencies, seconds: f.seconds, errors: f.errors, firstError: f.firstError, cpu: cpuSeconds(s.pid) - cpu0 });
      }
    }
    results[name] = {};
    for (const side of ['plain', 'audited']) {
      const xs = runs[side];
      const f = summarize(xs.flatMap((x) => x.latencies), xs.reduce((n, x) => n + x.seconds, 0), xs.reduce((n, x) => n + x.errors, 0), xs.find((x) => x.firstError)?.firstError);
      results[name][side] = { ...f, cpuUsPerRequest: f.ops ? (xs.reduce((n, x) => n + x.cpu, 0) / f.ops) * 1e6 : 0 };
    }
    const a = results[name].audited;
    const b = results[name].plain;
    lines.push(`${name.padEnd(18)}  plain ${b.opsPerSecond.toFixed(0).padStart(6)} req/s p50 ${b.p50ms.toFixed(2)} p99 ${b.p99ms.toFixed(2)} ms cpu ${b.cpuUsPerRequest.toFixed(0)} us/req` +
      ` | audited ${a.opsPerSecond.toFixed(0).padStart(6)} req/s p50 ${a.p50ms.toFixed(2)} p99 ${a.p99ms.toFixed(2)} ms cpu ${a.cpuUsPerRequest.toFixed(0)} us/req` +
      ` | ${((a.opsPerSecond / b.opsPerSecond) * 100).toFixed(0)}% of plain, errors ${b.errors}/${a.errors}`);
  }
  const text = [`audit-cost: ${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} cores (shared), concurrency ${opts.concurrency}, ${opts.rounds} x ${opts.seconds}s per side; audit log ${(statSync(log).size / 1e6).toFixed(1)} MB`, ...lines].join('\n');
  console.log(text);
  mkdirSync(opts.out, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  writeFileSync(path.join(opts.out, `audit-cost-${stamp}.json`), `${JSON.stringify({ options: opts, results }, null, 2)}\n`);
  writeFileSync(path.join(opts.out, 'audit-cost-latest.txt'), `${text}\n`);
}

runMain(main);
