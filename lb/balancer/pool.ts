// The set of backends and the choice of one per request: least outstanding requests among those
// passing /readyz, ties broken round-robin so an idle pool still spreads load.
import { EventEmitter } from 'node:events';
import { Backend, type BackendTLS } from './backend.js';
import { logger } from '../../server/logging/logger.js';

export interface PoolEvents {
  /** A backend became healthy (first time or after an ejection). */
  join: [Backend];
  eject: [Backend];
}

/** Outstanding work on a backend for plain requests: requests in flight. */
export const requestLoad = (b: Backend): number => b.inFlight;
/** For long-running requests (watches, upgrades): what it already holds of those counts too. */
export const watchLoad = (b: Backend): number => b.openWatches + b.openTunnels + b.inFlight;

export class BackendPool extends EventEmitter<PoolEvents> {
  readonly backends: Backend[];
  private turn = 0;

  constructor(urls: URL[], tls: BackendTLS = {}) {
    super();
    this.backends = urls.map((u) => new Backend(u, tls));
  }

  healthy(): Backend[] {
    return this.backends.filter((b) => b.state === 'healthy');
  }

  /** The healthy backend with the fewest requests outstanding, not one of `exclude`; undefined if none. */
  pick(exclude?: ReadonlySet<Backend>, load: (b: Backend) => number = requestLoad): Backend | undefined {
    const n = this.backends.length;
    const start = this.turn++ % n;
    let best: Backend | undefined;
    for (let i = 0; i < n; i++) {
      const b = this.backends[(start + i) % n];
      if (b.state !== 'healthy' || exclude?.has(b)) continue;
      if (!best || load(b) < load(best)) best = b;
    }
    if (best || this.backends.some((b) => b.state === 'healthy')) return best;
    // Panic mode: none passes, but some only answered /readyz slowly (an overloaded machine); use those.
    for (let i = 0; i < n; i++) {
      const b = this.backends[(start + i) % n];
      if (b.state !== 'ejected' || !b.onlySlow || exclude?.has(b)) continue;
      if (!best || load(b) < load(best)) best = b;
    }
    return best;
  }

  /** Out of rotation at once: a failed health check or a failed connection. */
  eject(b: Backend, reason: string, slow = false): void {
    b.lastError = reason;
    b.onlySlow = slow;
    b.consecutivePasses = 0;
    if (b.state === 'ejected') return;
    const was = b.state;
    b.state = 'ejected';
    b.dropIdleConnections();
    if (was === 'healthy') logger.error(`lb: ejected ${b.name}: ${reason}`);
    this.emit('eject', b);
  }

  /** A passing health check; `threshold` passes in a row bring a backend (back) into rotation. */
  pass(b: Backend, threshold: number): void {
    b.consecutivePasses++;
    b.onlySlow = false;
    if (b.state === 'healthy' || b.consecutivePasses < threshold) return;
    const was = b.state;
    b.state = 'healthy';
    logger.error(`lb: ${b.name} is ${was === 'ejected' ? 'back' : 'ready'}`);
    this.emit('join', b);
  }

  close(): void {
    for (const b of this.backends) b.close();
  }
}
