// The adapter between uWebSockets.js and the handler chain: one Exchange per request, and the
// framing checks uWS leaves to us, answered as Go's net/http (in front of kube-apiserver) answers them.
import { Exchange } from './exchange.js';
import type { TemplatedApp } from './uws.js';
import { logger } from '../logging/logger.js';

export type ExchangeHandler = (ex: Exchange) => Promise<void>;

/** Requests whose handler has not finished yet (a watch's handler finishes once its stream is open). */
export class InFlight {
  count = 0;
  private idle: Array<() => void> = [];

  track(p: Promise<void>): void {
    this.count++;
    void p.finally(() => {
      if (--this.count === 0) for (const resolve of this.idle.splice(0)) resolve();
    });
  }

  /** Resolves once nothing is in flight, or after timeoutMs. */
  drained(timeoutMs: number): Promise<void> {
    if (this.count === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.idle.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

export function serveHTTP(app: TemplatedApp, handler: ExchangeHandler, inFlight?: InFlight, frontProxyListener = false): void {
  app.any('/*', (res, req) => {
    const ex = new Exchange(res, req, frontProxyListener);
    if (!framingAgreed(ex)) return;
    const done = handler(ex).catch((e) => {
      logger.error(`${ex.method} ${ex.path}: ${(e as Error)?.stack ?? e}`);
      if (!ex.hasStarted) ex.sendError(e);
      else ex.end();
    });
    inFlight?.track(done);
  });
}

/**
 * uWS reads the body by the first Content-Length and hands every header to us: two that differ, or
 * one that is not a decimal number ("-1"), would leave the connection's next request ambiguous
 * (request smuggling), so Go answers 400 and closes.
 */
function framingAgreed(ex: Exchange): boolean {
  const lengths = ex.headerValues('content-length');
  if (lengths.some((l) => !/^[0-9]+$/.test(l.trim())) || lengths.some((l) => l !== lengths[0])) {
    ex.send(400, '400 Bad Request', 'text/plain; charset=utf-8', {}, true);
    return false;
  }
  return true;
}
