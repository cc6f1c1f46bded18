// Polls every backend's /readyz; one failed or slow check ejects it, passing checks bring it back.
import type tls from 'node:tls';
import type { Backend } from '../balancer/backend.js';
import type { BackendPool } from '../balancer/pool.js';

export interface HealthSettings {
  intervalMs: number;
  timeoutMs: number;
  healthyThreshold: number;
}

export class HealthChecker {
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;

  constructor(private readonly pool: BackendPool, private readonly settings: HealthSettings) {}

  start(): void {
    for (const b of this.pool.backends) this.loop(b);
  }

  private loop(b: Backend): void {
    if (this.stopped) return;
    const started = Date.now();
    this.check(b).then((failure) => {
      if (this.stopped) return;
      if (failure === undefined) this.pool.pass(b, this.settings.healthyThreshold);
      else this.pool.eject(b, failure.reason, failure.slow);
      const wait = Math.max(0, this.settings.intervalMs - (Date.now() - started));
      const t = setTimeout(() => {
        this.timers = this.timers.filter((x) => x !== t);
        this.loop(b);
      }, wait);
      this.timers.push(t);
    });
  }

  /** Resolves undefined when /readyz answers 200 in time, otherwise with what went wrong. */
  private check(b: Backend): Promise<{ reason: string; slow: boolean } | undefined> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (reason: string | undefined, slow = false) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve(reason === undefined ? undefined : { reason, slow });
      };
      // A connection of its own: a check must not queue behind requests on the pooled sockets.
      const req = b.request({ method: 'GET', path: '/readyz', agent: false, headers: { 'user-agent': 'kube-apiserver-ts-lb' } }, (res) => {
        // The instance's certificate, verified by TLS: the front-proxy sessions are encrypted to its key.
        const cert = (res.socket as Partial<tls.TLSSocket>).getPeerX509Certificate?.();
        if (cert) b.learnServingCertificate(cert);
        res.resume();
        res.on('end', () => finish(res.statusCode === 200 ? undefined : `/readyz answered ${res.statusCode}`));
        res.on('error', (e) => finish(`/readyz: ${e.message}`));
      });
      req.end();
      req.on('error', (e) => finish(`/readyz: ${(e as NodeJS.ErrnoException).code ?? e.message}`));
      const timer = setTimeout(() => {
        finish(`/readyz took longer than ${this.settings.timeoutMs} ms`, true);
        req.destroy();
      }, this.settings.timeoutMs);
    });
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }
}
