// The failover scenario (lb only): the mixed load at a constant rate through the load balancer
// while the runner SIGKILLs one API instance a third of the way in and starts it again on the same
// port a third later. Constant rate (an open model), so a stall shows as latency, not as fewer requests.
import { type Attack, attack, figures, readResults, type Sample } from '../runner/vegeta.js';
import { percentile } from '../runner/stats.js';
import type { Target } from '../runner/targets.js';
import { requestScenarios } from './requests.js';

export interface FailoverFigures {
  rps: number;
  p50Ms: number;
  p99Ms: number;
  errorRate: number;
  failedReads: number;
  failedWrites: number;
  reads: number;
  writes: number;
  /** p99 of requests started while the instance was down. */
  p99DuringFaultMs: number;
  /** From the kill to the first 250 ms window with at least 90% of the offered rate answered 2xx. */
  secondsUntilThroughputBack: number;
  killedAtS: number;
  restartedAtS: number;
}

const windowMs = 250;

export async function runFailover(vegeta: string, t: Target, rate: number, seconds: number, out: string): Promise<FailoverFigures> {
  const victim = t.instances?.[1];
  if (!victim) throw new Error('failover needs the lb target (instances behind the load balancer)');
  const mixed = requestScenarios.find((s) => s.name === 'mixed')!;
  const a: Attack = { name: t.name, targets: await mixed.targets(t), rate, workers: 32, seconds, out };
  const began = Date.now();
  const running = attack(vegeta, a);
  await new Promise((r) => setTimeout(r, (seconds * 1000) / 3));
  const killedAt = Date.now() - began;
  process.kill(victim.pid, 'SIGKILL');
  await new Promise((r) => setTimeout(r, (seconds * 1000) / 3));
  const restartedAt = Date.now() - began;
  await victim.restart();
  await running;

  const samples = readResults(vegeta, out);
  const ok = (s: Sample) => s.code >= 200 && s.code < 300;
  const reads = samples.filter((s) => s.method === 'GET');
  const writes = samples.filter((s) => s.method !== 'GET');
  const during = samples.filter((s) => s.atMs >= killedAt && s.atMs < restartedAt).map((s) => s.latencyMs).sort((x, y) => x - y);
  // Throughput back: answered-2xx per window, counted by when each answer came back.
  const offered = (rate * windowMs) / 1000;
  const done = new Map<number, number>();
  for (const s of samples) if (ok(s)) {
    const w = Math.floor((s.atMs + s.latencyMs) / windowMs);
    done.set(w, (done.get(w) ?? 0) + 1);
  }
  let back = NaN;
  const last = Math.ceil((seconds * 1000) / windowMs);
  for (let w = Math.floor(killedAt / windowMs); w < last; w++) {
    if ((done.get(w) ?? 0) >= 0.9 * offered) {
      back = Math.max(0, ((w + 1) * windowMs - killedAt) / 1000);
      break;
    }
  }
  const f = figures(samples);
  return {
    rps: f.rps, p50Ms: f.p50Ms, p99Ms: f.p99Ms, errorRate: f.errorRate,
    failedReads: reads.filter((s) => !ok(s)).length, failedWrites: writes.filter((s) => !ok(s)).length, reads: reads.length, writes: writes.length,
    p99DuringFaultMs: percentile(during, 99), secondsUntilThroughputBack: back, killedAtS: killedAt / 1000, restartedAtS: restartedAt / 1000,
  };
}
