// Every watch the LB relays: opened by the forwarder, moved when an instance (re)joins, ended on drain.
import type http from 'node:http';
import type { Backend } from '../balancer/backend.js';
import type { BackendPool } from '../balancer/pool.js';
import { type RelaySettings, WatchRelay } from './relay.js';
import type { WatchRequest } from './request.js';

export class WatchRegistry {
  readonly relays = new Set<WatchRelay>();
  moved = 0;
  /** Watches continued on another instance (after a failure or a move). */
  resumed = 0;

  constructor(private readonly pool: BackendPool, private readonly settings: RelaySettings) {}

  open(client: http.ServerResponse, w: WatchRequest, headers: http.OutgoingHttpHeaders, b: Backend, req: http.ClientRequest, res: http.IncomingMessage): WatchRelay {
    const relay = new WatchRelay(client, w, headers, this.pool, this.settings, {
      closed: (r) => this.relays.delete(r),
      resumed: () => this.resumed++,
    });
    this.relays.add(relay);
    relay.start(b, req, res);
    return relay;
  }

  /**
   * Gives a (re)joined instance its share of the watches: taken from the busiest instances first,
   * until it holds about as many as the average. kube-apiserver leaves them on the survivors.
   */
  rebalance(newcomer: Backend): number {
    const healthy = this.pool.healthy();
    if (healthy.length < 2) return 0;
    const movable = [...this.relays].filter((r) => r.movable && r.backend !== newcomer);
    const total = [...this.relays].filter((r) => r.backend).length;
    let want = Math.floor(total / healthy.length) - newcomer.openWatches;
    if (want <= 0) return 0;
    // Busiest instance first, so the spread evens out rather than draining one survivor.
    const byBackend = new Map<Backend, WatchRelay[]>();
    for (const r of movable) {
      const list = byBackend.get(r.backend!) ?? [];
      list.push(r);
      byBackend.set(r.backend!, list);
    }
    let moved = 0;
    while (want > 0) {
      let busiest: Backend | undefined;
      for (const [b, list] of byBackend) if (list.length && (!busiest || b.openWatches > busiest.openWatches)) busiest = b;
      if (!busiest || busiest.openWatches <= newcomer.openWatches + moved + 1) break;
      // The longest-lived first: they are the ones a restart stranded.
      const relay = byBackend.get(busiest)!.shift()!;
      relay.moveTo(newcomer);
      want--;
      moved++;
    }
    this.moved += moved;
    return moved;
  }

  /** Drain: every watch ends cleanly on an event boundary, so clients re-watch elsewhere. */
  endAll(): void {
    for (const r of [...this.relays]) r.end();
  }

  get size(): number {
    return this.relays.size;
  }
}
