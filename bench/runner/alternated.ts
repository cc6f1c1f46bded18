// Side by side: the same operation against several servers, rounds alternated so a machine whose
// speed drifts shifts every side alike; each side's figures are summed over its rounds, with its
// server's CPU per request. The audit and metrics cost programs measure with it.
import { cpuSeconds } from './processes.js';
import { type Figures, runFor, summarize } from './stats.js';

export type SideFigures = Figures & { cpuUsPerRequest: number; perRoundOpsPerSecond: number[] };

export interface AlternatedOptions { rounds: number; seconds: number; concurrency: number }

export async function alternatedRounds(servers: Record<string, { url: string; pid: number }>, op: (base: string) => () => Promise<void>,
  opts: AlternatedOptions): Promise<Record<string, SideFigures>> {
  for (const s of Object.values(servers)) await runFor(1, opts.concurrency, op(s.url)); // warm up
  const runs: Record<string, Array<{ latencies: number[]; seconds: number; errors: number; firstError?: string; cpu: number }>> =
    Object.fromEntries(Object.keys(servers).map((k) => [k, []]));
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
  return Object.fromEntries(Object.entries(runs).map(([side, xs]) => {
    const f = summarize(xs.flatMap((x) => x.latencies), xs.reduce((n, x) => n + x.seconds, 0), xs.reduce((n, x) => n + x.errors, 0), xs.find((x) => x.firstError)?.firstError);
    return [side, { ...f, cpuUsPerRequest: f.ops ? (xs.reduce((n, x) => n + x.cpu, 0) / f.ops) * 1e6 : 0, perRoundOpsPerSecond: xs.map((x) => x.latencies.length / x.seconds) }];
  }));
}
