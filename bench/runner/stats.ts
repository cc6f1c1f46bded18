// Latency figures for benchmark programs: percentiles over recorded samples.

export interface Figures {
  ops: number;
  seconds: number;
  opsPerSecond: number;
  p50ms: number;
  p99ms: number;
  errors: number;
  /** The first failure's message, so a broken case is visible instead of just fast. */
  firstError?: string;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function summarize(latenciesMs: number[], seconds: number, errors: number, firstError?: string): Figures {
  const sorted = [...latenciesMs].sort((a, b) => a - b);
  return {
    ops: sorted.length, seconds, opsPerSecond: sorted.length / seconds,
    p50ms: percentile(sorted, 50), p99ms: percentile(sorted, 99), errors,
    ...(firstError ? { firstError } : {}),
  };
}

/** A running index shared by several runs, so warm-up and measured runs never reuse a name. */
export function sequence(): () => number {
  let next = 0;
  return () => next++;
}

/** Runs `op` with `concurrency` loops in flight for `seconds`; each call gets an index from `next`. */
export async function runFor(seconds: number, concurrency: number, op: (i: number) => Promise<void>, next: () => number = sequence()): Promise<Figures> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const start = performance.now();
  const deadline = start + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      const i = next();
      const t0 = performance.now();
      try {
        await op(i);
        latencies.push(performance.now() - t0);
      } catch (e) {
        errors++;
        firstError ??= e instanceof Error ? e.message : String(e);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return summarize(latencies, (performance.now() - start) / 1000, errors, firstError);
}

/** Wall-clock milliseconds with sub-millisecond precision, comparable across processes. */
export const wallMs = () => performance.timeOrigin + performance.now();
