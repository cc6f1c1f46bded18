// Objects stored per resource and their average size, from the watch cache (kube's object count tracker,
// which refreshes from etcd every minute): what a LIST's seats are estimated from. Counted every 10 s,
// never per request.
import type { WatchCache } from '../storage/cacher/watch-cache.js';
import type { ObjectStats } from './work-estimate.js';

const refreshMs = 10_000;

export class ObjectStatsTracker {
  private stats = new Map<string, ObjectStats>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly cache: WatchCache, private readonly resolve: (key: string) => { group: string; resource: string }) {}

  start(): void {
    void this.cache.start().then(() => this.refresh());
    this.timer = setInterval(() => this.refresh(), refreshMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  refresh(): void {
    if (!this.cache.ready) return;
    const sums = new Map<string, { count: number; bytes: number }>();
    for (const key of this.cache.keys()) {
      const gr = this.resolve(key);
      const k = `${gr.group}/${gr.resource}`;
      let s = sums.get(k);
      if (!s) sums.set(k, s = { count: 0, bytes: 0 });
      s.count++;
      s.bytes += this.cache.get(key)?.value.length ?? 0;
    }
    this.stats = new Map([...sums].map(([k, s]) => [k, { count: s.count, averageSizeBytes: s.count ? s.bytes / s.count : 0 }]));
  }

  /** Undefined for a resource with nothing stored yet (kube: not found, one seat). */
  get(group: string, resource: string): ObjectStats | undefined {
    return this.stats.get(`${group}/${resource}`);
  }
}
