// summary.json's shape and summary.md: every scenario per target side by side, the ratios
// ours/kube-apiserver, the limits, and the targets to chase (printed, never asserted).
import type { Limits } from '../scenarios/limits.js';

export interface Scenario {
  name: string;
  target: string;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errorRate: number;
  [extra: string]: unknown;
}

export interface Summary {
  date: string;
  quick: boolean;
  machine: Record<string, unknown>;
  options: Record<string, unknown>;
  targets: Array<Record<string, unknown>>;
  scenarios: Scenario[];
  limits: Limits;
}

export const kube = 'kube-apiserver';
const num = (n: unknown, d = 0) => (typeof n === 'number' && Number.isFinite(n) ? n.toFixed(d) : '-');
const pct = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) ? `${(n * 100).toFixed(2)}%` : '-');

export function find(s: Summary, name: string, target: string): Scenario | undefined {
  return s.scenarios.find((x) => x.name === name && x.target === target);
}

/** ours/kube-apiserver for one scenario: throughput (higher is better) and p99 (lower is better). */
export function ratio(s: Summary, name: string, ours: string): { rps: number; p99: number } | undefined {
  const a = find(s, name, ours);
  const k = find(s, name, kube);
  return a && k ? { rps: a.rps / k.rps, p99: a.p99Ms / k.p99Ms } : undefined;
}

export function renderMarkdown(s: Summary): string {
  const targets = [...new Set(s.scenarios.map((x) => x.target))];
  const ours = targets.filter((t) => t !== kube);
  const names = [...new Set(s.scenarios.map((x) => x.name))];
  const lines: string[] = [];
  const m = s.machine;
  lines.push(`# Benchmark ${s.date}${s.quick ? ' (--quick: a smoke run, not figures to quote)' : ''}`, '');
  lines.push(`Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, load ${(m.loadAverage as number[]).join(' ')} at the end, Node ${m.node}, ${m.platform}. ` +
    `Every target ran alone on this machine in turn, with the load generator beside it; etcd ${s.limits.etcdVersion} under each.`, '');
  lines.push('Throughput is 2xx responses per second at max rate (vegeta, fixed workers); latencies in ms. kube-apiserver serves TLS (HTTP/2); ours plain HTTP/1.1.', '');
  const head = ['scenario', ...targets.flatMap((t) => [`${t} rps`, 'p50', 'p99', 'err']), ...ours.flatMap((t) => [`${t}/kube rps`, `${t}/kube p99`])];
  lines.push(`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i ? '---:' : '---')).join('|')}|`);
  for (const n of names) {
    const cells = [n];
    for (const t of targets) {
      const x = find(s, n, t);
      cells.push(num(x?.rps), num(x?.p50Ms, 2), num(x?.p99Ms, 2), pct(x?.errorRate));
    }
    for (const t of ours) {
      const r = ratio(s, n, t);
      cells.push(r ? `${num(r.rps, 2)}×` : '-', r ? `${num(r.p99, 2)}×` : '-');
    }
    lines.push(`| ${cells.join(' | ')} |`);
  }
  lines.push('', 'Watch rows: rps is events delivered per second over all watchers, latency from the writer\'s timestamp to the watcher reading the event, err is the share of expected deliveries missing.');
  for (const t of targets) {
    const update = find(s, 'update', t);
    if (update) lines.push(`- ${t} update: conflict rate ${pct(update.conflictRate)} (one PUT per object with its current resourceVersion)`);
  }
  for (const x of s.scenarios.filter((y) => y.name.startsWith('watch-'))) {
    lines.push(`- ${x.target} ${x.name}: delivered ${x.delivered}/${x.expected}, watchers missing events ${x.watchersMissingEvents}, streams ended early ${x.streamsEndedEarly}, max ${num(x.maxMs, 1)} ms`);
  }
  const f = s.scenarios.find((x) => x.name === 'failover');
  if (f) {
    lines.push(`- ${f.target} failover (${num(f.rps)} rps offered mixed load; instance killed at ${num(f.killedAtS, 1)} s, back at ${num(f.restartedAtS, 1)} s): failed reads ${f.failedReads}/${f.reads}, failed writes ${f.failedWrites}/${f.writes}, p99 during the fault ${num(f.p99DuringFaultMs, 1)} ms, throughput back ${num(f.secondsUntilThroughputBack, 2)} s after the kill`);
  }
  for (const t of s.targets) lines.push(`- ${t.name} memory after its run: ${(t.rssMiBPerInstance as number[]).map((r) => `${num(r)} MiB`).join(', ')} RSS per API server process`);
  const l = s.limits;
  lines.push('', `Limits (same run): etcd txn (create-if-absent) ${num(l.etcdTxn.rps)}/s p99 ${num(l.etcdTxn.p99Ms, 2)} ms; etcd read of one key ${num(l.etcdRead.rps)}/s p99 ${num(l.etcdRead.p99Ms, 2)} ms ` +
    `(etcd3 npm client, ${l.etcdClientConcurrency} in flight); bare uWebSockets.js ${num(l.uwsHello.rps)}/s p99 ${num(l.uwsHello.p99Ms, 2)} ms (vegeta).`, '');
  lines.push('## Targets to chase (issue 8; printed, not asserted)', '', ...chase(s).map((c) => `- ${c}`), '');
  return lines.join('\n');
}

/** Each target of the issue with what this run measured against it. */
export function chase(s: Summary): string[] {
  const out: string[] = [];
  const ours = [...new Set(s.scenarios.map((x) => x.target))].filter((t) => t !== kube);
  const mark = (ok: boolean | undefined) => (ok === undefined ? 'n/a' : ok ? 'met' : 'MISSED');
  for (const t of ours) {
    for (const n of ['get', 'get-rv0', 'list-100', 'list-1000', 'list-1000-limit-100', 'list-1000-label']) {
      const r = ratio(s, n, t);
      if (r) out.push(`${mark(r.rps >= 3 && r.p99 < 1)}: ${t} ${n} ≥ 3× kube-apiserver's throughput at a lower p99 (${num(r.rps, 2)}×, p99 ${num(r.p99, 2)}×)`);
    }
    for (const n of ['create', 'update']) {
      const x = find(s, n, t);
      if (x) out.push(`${mark(x.rps >= 0.8 * s.limits.etcdTxn.rps)}: ${t} ${n} within 80% of the raw etcd txn rate (${num(x.rps)} vs ${num(s.limits.etcdTxn.rps)}/s)`);
    }
    const w = find(s, 'watch-1000', t);
    if (w) out.push(`${mark(w.p99Ms < 50)}: ${t} watch delivery p99 under 50 ms at 1000 watchers (${num(w.p99Ms, 1)} ms)`);
  }
  const f = s.scenarios.find((x) => x.name === 'failover');
  if (f) {
    const writes = (f.failedWrites as number) / Math.max(1, f.writes as number);
    out.push(`${mark(f.failedReads === 0 && writes < 0.001 && (f.secondsUntilThroughputBack as number) <= 2)}: failover: no failed reads (${f.failedReads}), under 0.1% failed writes (${pct(writes)}), throughput back within 2 s (${num(f.secondsUntilThroughputBack, 2)} s)`);
  }
  const k = s.targets.find((t) => t.name === kube);
  if (k) {
    const kubeRss = Math.max(...(k.rssMiBPerInstance as number[]));
    for (const t of s.targets.filter((x) => x.name !== kube)) {
      const mine = Math.max(...(t.rssMiBPerInstance as number[]));
      out.push(`${mark(mine <= kubeRss)}: ${t.name} memory per instance no more than kube-apiserver's (${num(mine)} vs ${num(kubeRss)} MiB RSS; with the ~1,200 seeded objects plus what create made, not 10k)`);
    }
  }
  return out;
}
