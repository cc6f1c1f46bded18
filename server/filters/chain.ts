// The handler chain: filters wrap the handler in the order listed, the first one outermost, as
// kube-apiserver's DefaultBuildHandlerChain does (read outside-in: the order a request meets them).
import type { Exchange } from '../http/exchange.js';
import { requestRunning } from '../http/running-request.js';

/** What answers a request once every filter has let it through. */
export type Handler = (ex: Exchange) => Promise<void>;

/** One cross-cutting stage: does its work, then calls `next` (or answers and does not). */
export interface Filter {
  name: string;
  filter(ex: Exchange, next: () => Promise<void>): Promise<void>;
}

export function buildHandlerChain(filters: readonly Filter[], handler: Handler): Handler {
  // Each stage tells the event-loop watchdog whose code runs (a filter may resume after an await).
  return filters.reduceRight<Handler>((inner, f) => (ex) => {
    requestRunning(ex);
    return f.filter(ex, () => inner(ex));
  }, (ex) => {
    requestRunning(ex);
    return handler(ex);
  });
}
