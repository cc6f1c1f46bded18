// kube's httplog: one "HTTP" line per request at -v=3 or higher (verb, URI, latency, userAgent,
// audit-ID, srcIP, resp), and, at any verbosity, for a request that failed (5xx) or was slow.
import type { Handler } from '../filters/chain.js';
import type { Exchange } from '../http/exchange.js';
import type { Logger } from './logger.js';

/** kube's httplog level. */
const httpLogVerbosity = 3;
/** A request slower than this is logged at any verbosity (kube's utiltrace threshold for a request: 500 ms... up to 1 s for lists). */
const slowRequestMs = 1000;

export function httpLog(chain: Handler, log: Logger): Handler {
  return (ex) => {
    const started = performance.now();
    // The peer's address must be read while the response is open.
    const srcIP = log.enabled(httpLogVerbosity) ? ex.remoteAddress() : undefined;
    ex.onFinished(() => {
      const ms = performance.now() - started;
      const failed = ex.status >= 500;
      const slow = ms > slowRequestMs && !isLongRunning(ex);
      if (!log.enabled(httpLogVerbosity) && !failed && !slow) return;
      log.infoV(failed || slow ? 0 : httpLogVerbosity, 'HTTP', {
        verb: normalizedVerb(ex), URI: ex.requestURI, latency: goDuration(ms),
        userAgent: ex.headers['user-agent'], 'audit-ID': ex.auditID, traceID: ex.traceID, srcIP, resp: ex.status,
      });
    });
    return chain(ex);
  };
}

/** kube's metrics.NormalizedVerb: the method, but LIST, WATCH and APPLY where they apply. */
function normalizedVerb(ex: Exchange): string {
  const verb = ex.requestInfo?.verb;
  if (verb === 'watch') return 'WATCH';
  if (verb === 'list' && ex.method === 'GET') return 'LIST';
  if (ex.method === 'PATCH' && (ex.headers['content-type'] ?? '').startsWith('application/apply-patch')) return 'APPLY';
  return ex.method;
}

/** Watches and upgrades last as long as the client wants: never "slow". */
function isLongRunning(ex: Exchange): boolean {
  return ex.requestInfo?.verb === 'watch' || ex.status === 101 || ex.query.get('watch') === 'true' || ex.query.get('watch') === '1';
}

/** Go's time.Duration String(), as zap writes a latency: 1.234567ms, 2.5s, 850µs. */
export function goDuration(ms: number): string {
  // Number(x.toFixed(n)) prints without trailing zeros, as Go does.
  if (ms >= 1000) return `${Number((ms / 1000).toFixed(9))}s`;
  if (ms >= 1) return `${Number(ms.toFixed(6))}ms`;
  return `${Number((ms * 1000).toFixed(3))}µs`;
}
