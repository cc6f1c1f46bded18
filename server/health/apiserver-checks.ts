// The checks behind /livez and /readyz, with kube-apiserver's names: etcd reachable, watch cache synced.
import type { HealthCheck, HealthEndpoints } from './checks.js';

export interface HealthSources {
  /** Any cheap etcd round trip (the current revision). */
  pingEtcd(): Promise<unknown>;
  /** Whether the watch cache has caught up and may serve. */
  cacheReady(): boolean;
}

export function apiserverHealthChecks(sources: HealthSources): HealthEndpoints {
  const etcdCheck = cachedEtcdCheck(sources.pingEtcd);
  const ping: HealthCheck = { name: 'ping', check: async () => undefined };
  const log: HealthCheck = { name: 'log', check: async () => undefined };
  const etcd: HealthCheck = { name: 'etcd', check: etcdCheck };
  const etcdReadiness: HealthCheck = { name: 'etcd-readiness', check: etcdCheck };
  const watchCache: HealthCheck = { name: 'watch-cache-ready', check: async () => { if (!sources.cacheReady()) throw new Error('watch cache not synced'); } };
  return { livez: [ping, log, etcd], readyz: [ping, log, etcd, etcdReadiness, watchCache] };
}

/** Asks etcd at most once a second, however often the LB probes. */
function cachedEtcdCheck(ping: () => Promise<unknown>): () => Promise<void> {
  let last = { at: 0, ok: false, reason: '' };
  return async () => {
    const now = Date.now();
    if (now - last.at > 1000) {
      try {
        await ping();
        last = { at: now, ok: true, reason: '' };
      } catch (e) {
        last = { at: now, ok: false, reason: (e as Error).message };
      }
    }
    if (!last.ok) throw new Error(last.reason);
  };
}
