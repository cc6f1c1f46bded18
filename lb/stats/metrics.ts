// GET /lb/metrics: the LB's own figures as Prometheus text, per backend (lb_ prefix; kube has no LB).
// Answers and their latency are observed as they happen; the rest is read from the pool and the
// watch registry when scraped. Served with /lb/stats's access rule (stats/access.ts).
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { BackendPool } from '../balancer/pool.js';
import type { WatchRegistry } from '../watch/registry.js';

// kube's request-latency buckets, so LB and instance latencies line up on one dashboard.
const latencyBuckets = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];

export class LbMetrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'lb_requests_total', help: 'Requests answered by each backend, by HTTP status code (a watch when its head arrives).',
    labelNames: ['backend', 'code'], registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'lb_request_duration_seconds', help: 'Time from sending a request to a backend to its response head, per backend.',
    labelNames: ['backend'], buckets: latencyBuckets, registers: [this.registry],
  });
  private readonly ejections = new Counter({
    name: 'lb_backend_ejections_total', help: 'Times each backend was taken out of rotation (failed health check or connection).',
    labelNames: ['backend'], registers: [this.registry],
  });
  private readonly handshakes = new Counter({
    name: 'lb_tls_handshakes_total', help: 'TLS handshakes with clients, by result.', labelNames: ['result'], registers: [this.registry],
  });

  constructor(pool: BackendPool, watches: WatchRegistry) {
    const registers = [this.registry];
    pool.on('eject', (b) => this.ejections.inc({ backend: b.name }));
    for (const b of pool.backends) this.ejections.inc({ backend: b.name }, 0);
    const perBackend = (name: string, help: string, read: (b: BackendPool['backends'][number]) => number) => new Gauge({
      name, help, labelNames: ['backend'], registers, collect() {
        for (const b of pool.backends) this.set({ backend: b.name }, read(b));
      },
    });
    perBackend('lb_backend_up', 'Whether the backend is in rotation (passes /readyz).', (b) => (b.state === 'healthy' ? 1 : 0));
    perBackend('lb_backend_in_flight_requests', 'Requests sent to the backend and not yet answered in full.', (b) => b.inFlight);
    perBackend('lb_backend_open_watches', 'Watch streams relayed from the backend now.', (b) => b.openWatches);
    perBackend('lb_backend_open_tunnels', 'Upgraded connections (WebSocket watches, exec) piped to the backend now.', (b) => b.openTunnels);
    // Kept by the backend itself (requests, failures): the counters are set to them when scraped.
    const perBackendTotal = (name: string, help: string, read: (b: BackendPool['backends'][number]) => number) => new Counter({
      name, help, labelNames: ['backend'], registers, collect() {
        this.reset();
        for (const b of pool.backends) this.inc({ backend: b.name }, read(b));
      },
    });
    perBackendTotal('lb_backend_requests_total', 'Requests and upgrades sent to the backend (every attempt, retries included).', (b) => b.requests);
    perBackendTotal('lb_backend_errors_total', 'Requests to the backend that failed (no answer, a broken response, a watch cut off).', (b) => b.errors);
    new Gauge({
      name: 'lb_open_watches', help: 'Watches the LB relays now.', registers, collect() {
        this.set(watches.size);
      },
    });
    const watchTotal = (name: string, help: string, read: () => number) => new Counter({
      name, help, registers, collect() {
        this.reset();
        this.inc(read());
      },
    });
    watchTotal('lb_watches_resumed_total', 'Watches carried over to another backend after theirs ended or failed.', () => watches.resumed);
    watchTotal('lb_watches_moved_total', 'Watches moved to a backend that joined, to rebalance.', () => watches.moved);
    collectDefaultMetrics({ register: this.registry });
  }

  /** A backend's response head arrived. */
  response(backend: string, code: number, seconds: number): void {
    this.requests.inc({ backend, code: String(code) });
    this.latency.observe({ backend }, seconds);
  }

  handshake(ok: boolean): void {
    this.handshakes.inc({ result: ok ? 'success' : 'error' });
  }

  expose(): Promise<string> {
    return this.registry.metrics();
  }
}
