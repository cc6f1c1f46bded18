// Latency percentiles over the most recent requests: a fixed ring, sorted only when asked for.

export class LatencyWindow {
  private readonly samples: Float64Array;
  private count = 0;
  private next = 0;

  constructor(size = 2048) {
    this.samples = new Float64Array(size);
  }

  record(ms: number): void {
    this.samples[this.next] = ms;
    this.next = (this.next + 1) % this.samples.length;
    if (this.count < this.samples.length) this.count++;
  }

  /** p50/p90/p99 in milliseconds (nearest rank), or null before the first sample. */
  percentiles(): { p50: number; p90: number; p99: number } | null {
    if (!this.count) return null;
    const sorted = Array.from(this.samples.subarray(0, this.count)).sort((a, b) => a - b);
    const at = (p: number) => round(sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]);
    return { p50: at(0.5), p90: at(0.9), p99: at(0.99) };
  }
}

/** Requests per second over a sliding window of one-second buckets. */
export class RateWindow {
  private readonly buckets: number[];
  private readonly seconds: number[];

  constructor(private readonly windowSeconds = 10) {
    this.buckets = new Array(windowSeconds).fill(0);
    this.seconds = new Array(windowSeconds).fill(-1);
  }

  mark(now = Date.now()): void {
    const s = Math.floor(now / 1000);
    const i = s % this.windowSeconds;
    if (this.seconds[i] !== s) {
      this.seconds[i] = s;
      this.buckets[i] = 0;
    }
    this.buckets[i]++;
  }

  /** Average over the last full window (the current, partial second excluded). */
  perSecond(now = Date.now()): number {
    const s = Math.floor(now / 1000);
    let total = 0;
    for (let i = 0; i < this.windowSeconds; i++) {
      const age = s - this.seconds[i];
      if (this.seconds[i] >= 0 && age >= 1 && age < this.windowSeconds) total += this.buckets[i];
    }
    return round(total / (this.windowSeconds - 1));
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
