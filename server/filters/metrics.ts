// Request metrics (kube's InstrumentRouteFunc / InstrumentHandlerFunc): the innermost filter, so only
// requests that reach their handler are counted, as kube counts them (a 401 or 403 is not; a 429 from
// max-in-flight is, by that filter). Recorded when the response is over: a watch when it ends.
import type { Exchange } from '../http/exchange.js';
import type { RequestInfo } from '../http/request-info.js';
import type { APIServerMetrics } from '../metrics/apiserver-metrics.js';
import { recordsResponseSize, requestLabels } from '../metrics/request-labels.js';
import type { Filter } from './chain.js';
import { isLongRunning } from './timeout.js';

export function requestMetrics(metrics: APIServerMetrics, served: (info: RequestInfo) => boolean): Filter {
  return {
    name: 'metrics',
    filter(ex, next) {
      const info = ex.requestInfo;
      const labels = info && requestLabels(ex, info, served);
      if (!labels) return next();
      const longRunningEnded = isLongRunning(info) ? metrics.longRunningStarted(labels) : undefined;
      ex.onFinished(() => {
        longRunningEnded?.();
        // A client gone before any answer: kube's handler would still write one; there is none to count.
        if (!ex.status) return;
        metrics.observeRequest(labels, ex.status, elapsedSeconds(ex), recordsResponseSize(info) ? ex.bytesWritten : undefined);
      });
      return next();
    },
  };
}

function elapsedSeconds(ex: Exchange): number {
  return (performance.timeOrigin + performance.now() - ex.receivedAt) / 1000;
}
