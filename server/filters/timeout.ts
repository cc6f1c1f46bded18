// Timeout (kube's WithRequestDeadline + WithTimeoutForNonLongRunningRequests): a request that is not
// long-running gets --request-timeout (60s), or the shorter `?timeout=` it asks for, then 504 Timeout.
import { errors } from '../api/errors.js';
import type { RequestInfo } from '../http/request-info.js';
import type { Filter } from './chain.js';
import { parseDuration } from './duration.js';
import { logger } from '../logging/logger.js';

// kube-apiserver's LongRunningFunc: watch and proxy verbs, and the streaming subresources.
const longRunningVerbs = new Set(['watch', 'proxy']);
const longRunningSubresources = new Set(['attach', 'exec', 'proxy', 'log', 'portforward']);

export function isLongRunning(info: RequestInfo): boolean {
  if (longRunningVerbs.has(info.verb)) return true;
  if (info.isResourceRequest && longRunningSubresources.has(info.subresource)) return true;
  return !info.isResourceRequest && info.path.startsWith('/debug/pprof/');
}

export function timeout(requestTimeoutSeconds: number): Filter {
  return {
    name: 'timeout',
    async filter(ex, next) {
      // Long-running requests keep their own limits (timeoutSeconds) and ignore ?timeout=, as in kube.
      if (!ex.requestInfo || isLongRunning(ex.requestInfo)) return next();
      const asked = ex.query.get('timeout');
      let ms = requestTimeoutSeconds * 1000;
      if (asked) {
        const { ms: d, error } = parseDuration(asked);
        if (d === undefined) throw errors.badRequest(`invalid timeout specified in the request URL - ${error}`);
        // 0 or more than the maximum means the server's own limit, as in kube.
        if (d > 0 && d < ms) ms = d;
      }
      if (ms <= 0) return next(); // --request-timeout=0: no limit
      const handled = next();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), ms);
      });
      try {
        if (await Promise.race([handled, timedOut]) !== 'timeout') return;
      } finally {
        clearTimeout(timer);
      }
      // The handler goes on in the background (as kube's does); its answer is dropped, its failure logged.
      handled.catch((e) => logger.error(`${ex.method} ${ex.path} after its timeout: ${(e as Error)?.message ?? e}`));
      if (!ex.hasStarted) ex.sendError(errors.timeout('Timeout: request did not complete within the allotted timeout'));
      else ex.end();
    },
  };
}
