// GET /lb/stats: the LB's own figures, per instance, as JSON (a path kube's API never uses).
import type { BackendPool } from '../balancer/pool.js';
import type { WatchRegistry } from '../watch/registry.js';

export interface LbStats {
  draining: boolean;
  uptimeSeconds: number;
  watches: { open: number; resumed: number; moved: number };
  backends: Record<string, unknown>[];
}

export function collectStats(pool: BackendPool, watches: WatchRegistry, draining: boolean, startedAt: number): LbStats {
  return {
    draining,
    uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    watches: { open: watches.size, resumed: watches.resumed, moved: watches.moved },
    backends: pool.backends.map((b) => b.stats()),
  };
}
