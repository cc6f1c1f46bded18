// The checks behind /livez and /readyz, with kube-apiserver's names: etcd reachable, watch cache synced.
import type { HealthCheck, HealthEndpoints } from './checks.js';

export interface HealthSources {
  /** Any cheap etcd round trip (the current revision). */
  pingEtcd(): Promise<unknown>;
  /** Whether the watch cache has caught up and may serve. */
  cacheReady(): boolean;
  /** Where the watch cache's events come from now: `redis` (the fan-out stream) or `etcd`. */
  feedMode(): string;
  /** True once the instance was asked to stop (SIGTERM): it is no longer ready, as kube's `shutdown` check. */
  shuttingDown(): boolean;
  /** The post-start hooks by name, and whether each has run: kube's poststarthook/<name> readiness checks. */
  postStartHooks?: { names: string[]; done(name: string): boolean };
  /** The event-loop watchdog's check (health/event-loop.ts), unless --event-loop-block-threshold=0. */
  eventLoop?: HealthCheck;
}

export function apiserverHealthChecks(sources: HealthSources): HealthEndpoints {
  // A watch cache that lost its feed is a sign etcd may be gone: then the last answer is not trusted.
  const etcdCheck = cachedEtcdCheck(sources.pingEtcd, () => !sources.cacheReady());
  const ping: HealthCheck = { name: 'ping', check: async () => undefined };
  const log: HealthCheck = { name: 'log', check: async () => undefined };
  const etcd: HealthCheck = { name: 'etcd', check: etcdCheck };
  const etcdReadiness: HealthCheck = { name: 'etcd-readiness', check: etcdCheck };
  const watchCache: HealthCheck = { name: 'watch-cache-ready', check: async () => { if (!sources.cacheReady()) throw new Error('watch cache not synced'); } };
  // Always passes: the cache's readiness is above; this says which source feeds it.
  const watchFeed: HealthCheck = { name: 'watch-feed', check: async () => undefined, detail: () => `from ${sources.feedMode()}` };
  const shutdown: HealthCheck = { name: 'shutdown', check: async () => { if (sources.shuttingDown()) throw new Error('the server is shutting down'); } };
  const hooks: HealthCheck[] = (sources.postStartHooks?.names ?? []).map((name) => ({
    name: `poststarthook/${name}`,
    check: async () => { if (!sources.postStartHooks!.done(name)) throw new Error('not finished'); },
  }));
  // As kube's health checks, it is in both: a restarter reads /livez, the LB /readyz.
  const eventLoop = sources.eventLoop ? [sources.eventLoop] : [];
  return { livez: [ping, log, etcd, ...eventLoop], readyz: [ping, log, etcd, ...eventLoop, etcdReadiness, watchCache, watchFeed, ...hooks, shutdown] };
}

/** Asks etcd at most once a second, however often the LB probes, unless there is reason to doubt the last answer. */
function cachedEtcdCheck(ping: () => Promise<unknown>, doubt: () => boolean): () => Promise<void> {
  let last = { at: 0, ok: false, reason: '' };
  return async () => {
    const now = Date.now();
    if (now - last.at > 1000 || (last.ok && doubt())) {
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
