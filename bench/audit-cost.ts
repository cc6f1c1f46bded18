// The cost of auditing: the same requests against one API server without audit, one writing every
// request at Metadata to a log file (blocking mode: a synchronous append per stage, two per request),
// and one that also omits RequestReceived (as the launcher's policy does: one line per request), side
// by side on one etcd, rounds alternated. Prints req/s, p50/p99 and each server's CPU per request.
//   node dist/bench/audit-cost.js [--concurrency 16] [--duration-seconds 5] [--rounds 2] [--out bench/results]
import { mkdirSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { request } from './runner/http.js';
import { alternatedRounds, type SideFigures } from './runner/alternated.js';
import { removeOnExit, repoRoot, runMain, startApiServer, startEtcd } from './runner/processes.js';
import { parseFlags } from './runner/flags.js';

interface Options { concurrency: number; seconds: number; rounds: number; out: string }

function parseOptions(argv: string[]): Options {
  return parseFlags<Options>(argv, { concurrency: 16, seconds: 5, rounds: 2, out: path.join(repoRoot, 'bench/results') },
    { '--concurrency': 'concurrency', '--duration-seconds': 'seconds', '--rounds': 'rounds', '--out': 'out' }, ['out']);
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'audit-cost-'));
  removeOnExit(dir);
  const policy = path.join(dir, 'policy.yaml');
  writeFileSync(policy, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n  - level: Metadata\n');
  const oneStage = path.join(dir, 'policy-one-stage.yaml');
  writeFileSync(oneStage, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n  - level: Metadata\n');
  const log = path.join(dir, 'audit.log');
  const etcd = await startEtcd();
  const plain = await startApiServer(etcd.url);
  const audited = await startApiServer(etcd.url, [`--audit-policy-file=${policy}`, `--audit-log-path=${log}`]);
  const audited1 = await startApiServer(etcd.url, [`--audit-policy-file=${oneStage}`, `--audit-log-path=${path.join(dir, 'audit-one-stage.log')}`]);
  console.log(`plain ${plain.url}, audited ${audited.url} (Metadata, log ${log}), audited without RequestReceived ${audited1.url}; concurrency ${opts.concurrency}, ${opts.seconds}s x ${opts.rounds} rounds per side`);
  await request(plain.url, 'POST', '/api/v1/namespaces', JSON.stringify({ metadata: { name: 'bench-audit' } }));
  const p = '/api/v1/namespaces/bench-audit/configmaps';
  await request(plain.url, 'POST', p, JSON.stringify({ metadata: { name: 'one' }, data: { k: 'v'.repeat(1024) } }));
  let created = 0;
  const ops = {
    'GET one ConfigMap': (base: string) => () => request(base, 'GET', `${p}/one`).then(() => undefined),
    'POST a ConfigMap': (base: string) => () => request(base, 'POST', p, JSON.stringify({ metadata: { name: `c-${created++}` }, data: { k: 'v' } })).then(() => undefined),
  };
  const servers = { plain, audited, 'audited, no RequestReceived': audited1 };
  const lines: string[] = [];
  const results: Record<string, Record<string, SideFigures>> = {};
  for (const [name, op] of Object.entries(ops)) {
    results[name] = await alternatedRounds(servers, op, opts);
    const b = results[name].plain;
    for (const [side, r] of Object.entries(results[name])) {
      lines.push(`${name.padEnd(18)}  ${side.padEnd(28)} ${r.opsPerSecond.toFixed(0).padStart(6)} req/s  p50 ${r.p50ms.toFixed(2).padStart(6)} ms  p99 ${r.p99ms.toFixed(2).padStart(6)} ms  ` +
        `server cpu ${r.cpuUsPerRequest.toFixed(0).padStart(5)} us/req (${side === 'plain' ? 'base' : `+${(r.cpuUsPerRequest - b.cpuUsPerRequest).toFixed(0)}`})  ${((r.opsPerSecond / b.opsPerSecond) * 100).toFixed(0)}% of plain req/s  errors ${r.errors}`);
    }
  }
  const text = [`audit-cost: ${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} cores (shared), concurrency ${opts.concurrency}, ${opts.rounds} x ${opts.seconds}s per side; audit log ${(statSync(log).size / 1e6).toFixed(1)} MB`, ...lines].join('\n');
  console.log(text);
  mkdirSync(opts.out, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  writeFileSync(path.join(opts.out, `audit-cost-${stamp}.json`), `${JSON.stringify({ options: opts, results }, null, 2)}\n`);
  writeFileSync(path.join(opts.out, 'audit-cost-latest.txt'), `${text}\n`);
}

runMain(main);
