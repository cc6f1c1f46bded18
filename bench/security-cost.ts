// The cost of TLS and authorization, side by side in one run on one etcd: the same GET of one
// ConfigMap and LIST of 100 against an API server instance that is
//   plain      plain HTTP, anonymous, AlwaysAllow (the server's own defaults; the throughput ceiling)
//   tls        TLS, a bearer token (static token file), AlwaysAllow: the cost of TLS and authentication
//   tls-rbac   the same with --authorization-mode=RBAC, the user allowed by a RoleBinding: plus authorization
// and through the LB: plain LB -> plain instance, and the default topology's TLS LB with a client
// certificate -> TLS instance (front-proxy proof, RBAC). Vegeta (keep-alive, max rate); the
// configurations alternate round by round so the machine's noise falls on all of them alike.
//   node dist/bench/security-cost.js [--seconds 5] [--rounds 2] [--workers 32] [--out bench/results]
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensurePKI, issue, loadIssued, writeIssued } from '../pki/pki.js';
import { request } from './runner/http.js';
import { removeOnExit, repoRoot, runMain, startApiServer, startEtcd, startLb } from './runner/processes.js';
import { attack, ensureVegeta, figures, type HttpFigures, readResults } from './runner/vegeta.js';
import { etcdBinary } from './runner/targets.js';
import { parseFlags } from './runner/flags.js';

interface Options { seconds: number; rounds: number; workers: number; out: string }

function parseOptions(argv: string[]): Options {
  return parseFlags<Options>(argv, { seconds: 5, rounds: 2, workers: 32, out: path.join(repoRoot, 'bench/results') },
    { '--seconds': 'seconds', '--rounds': 'rounds', '--workers': 'workers', '--out': 'out' }, ['out']);
}

interface Config { name: string; url: string; header: Record<string, string[]>; clientCert?: { certFile: string; keyFile: string } }

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const vegeta = ensureVegeta();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-security-'));
  removeOnExit(dir);
  const pki = ensurePKI(path.join(dir, 'pki'), { dnsNames: ['localhost'], ips: ['127.0.0.1'] });
  const ca = loadIssued(pki.caCert, pki.caKey);
  writeIssued(dir, 'reader', issue(ca, { commonName: 'reader', organizations: ['bench'], usage: 'client' }));
  const tokens = path.join(dir, 'tokens.csv');
  writeFileSync(tokens, 'admin-token,admin,1,"system:masters"\nreader-token,reader,2,"bench"\n');

  const etcd = await startEtcd(await etcdBinary());
  const tls = [`--tls-cert-file=${pki.servingCert}`, `--tls-private-key-file=${pki.servingKey}`, `--token-auth-file=${tokens}`];
  const proxied = [`--requestheader-client-ca-file=${pki.frontProxyCACert}`, '--requestheader-allowed-names=front-proxy-client'];
  const plain = await startApiServer(etcd.url);
  const tlsOnly = await startApiServer(etcd.url, tls);
  const tlsRbac = await startApiServer(etcd.url, [...tls, ...proxied, '--authorization-mode=RBAC']);
  const lbPlain = await startLb(plain.url);
  const lbTls = await startLb(tlsRbac.url, [], [`--tls-cert-file=${pki.servingCert}`, `--tls-private-key-file=${pki.servingKey}`, `--client-ca-file=${pki.caCert}`,
    `--backend-ca-file=${pki.caCert}`, `--proxy-client-cert-file=${pki.frontProxyClientCert}`, `--proxy-client-key-file=${pki.frontProxyClientKey}`]);

  // Seed through the plain instance (one etcd: every instance sees it), and let `reader` read ConfigMaps in bench-sec.
  const ns = '/api/v1/namespaces/bench-sec';
  await request(plain.url, 'POST', '/api/v1/namespaces', JSON.stringify({ metadata: { name: 'bench-sec' } }));
  for (let i = 0; i < 100; i++) {
    await request(plain.url, 'POST', `${ns}/configmaps`, JSON.stringify({ metadata: { name: `cm-${i}` }, data: { k: 'v'.repeat(256) } }));
  }
  await request(plain.url, 'POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/bench-sec/roles', JSON.stringify({
    metadata: { name: 'cm-reader' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }],
  }));
  await request(plain.url, 'POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/bench-sec/rolebindings', JSON.stringify({
    metadata: { name: 'reader' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'cm-reader' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'reader' }],
  }));

  const bearer = { Authorization: ['Bearer reader-token'] };
  const configs: Config[] = [
    { name: 'plain', url: plain.url, header: {} },
    { name: 'tls', url: tlsOnly.url, header: bearer },
    { name: 'tls-rbac', url: tlsRbac.url, header: bearer },
    { name: 'lb-plain', url: lbPlain.url, header: {} },
    { name: 'lb-tls-rbac', url: lbTls.url, header: {}, clientCert: { certFile: path.join(dir, 'reader.crt'), keyFile: path.join(dir, 'reader.key') } },
  ];
  const scenarios = [{ name: 'get', path: `${ns}/configmaps/cm-1` }, { name: 'list-100', path: `${ns}/configmaps` }];
  const raw = path.join(opts.out, 'raw', 'security');
  const results: Record<string, HttpFigures[]> = {};
  console.log(`${configs.length} configurations x ${scenarios.length} scenarios, ${opts.seconds}s x ${opts.rounds} rounds, ${opts.workers} workers, ${os.cpus().length} cores (shared)`);
  for (let round = 0; round < opts.rounds; round++) {
    for (const s of scenarios) {
      for (const c of configs) {
        const out = path.join(raw, `${s.name}-${c.name}-${round}.bin`);
        await attack(vegeta, { name: c.name, targets: [{ method: 'GET', url: `${c.url}${s.path}`, header: c.header }], rate: 0, workers: opts.workers,
          seconds: opts.seconds, out, clientCert: c.clientCert });
        const f = figures(readResults(vegeta, out));
        if (f.errorRate > 0) throw new Error(`${s.name} on ${c.name}: ${(f.errorRate * 100).toFixed(1)}% failed (${f.firstError})`);
        (results[`${s.name} ${c.name}`] ??= []).push(f);
      }
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rows = Object.entries(results).map(([key, fs]) => {
    const [scenario, config] = key.split(' ');
    return { scenario, config, rps: median(fs.map((f) => f.rps)), p50Ms: median(fs.map((f) => f.p50Ms)), p99Ms: median(fs.map((f) => f.p99Ms)) };
  });
  const rpsOf = (scenario: string, config: string) => rows.find((r) => r.scenario === scenario && r.config === config)!.rps;
  const lines = ['| scenario | configuration | req/s | p50 ms | p99 ms | vs plain |', '|---|---|---:|---:|---:|---:|'];
  for (const r of rows) {
    const base = rpsOf(r.scenario, r.config.startsWith('lb') ? 'lb-plain' : 'plain');
    lines.push(`| ${r.scenario} | ${r.config} | ${r.rps.toFixed(0)} | ${r.p50Ms.toFixed(2)} | ${r.p99Ms.toFixed(2)} | ${(r.rps / base).toFixed(2)}x |`);
  }
  const date = new Date().toISOString();
  const md = [`# Cost of TLS and authorization (${date})`, '', `\`node dist/bench/security-cost.js --seconds ${opts.seconds} --rounds ${opts.rounds} --workers ${opts.workers}\`, ` +
    `${os.cpus().length} cores (shared), medians of ${opts.rounds} alternated rounds; "vs plain" compares with the plain instance (or the plain LB).`, '', ...lines, ''].join('\n');
  console.log(md);
  mkdirSync(opts.out, { recursive: true });
  writeFileSync(path.join(opts.out, 'security-cost.json'), JSON.stringify({ date, options: opts, rows }, null, 2) + '\n');
  writeFileSync(path.join(opts.out, 'security-cost.md'), md);
}

runMain(main);
