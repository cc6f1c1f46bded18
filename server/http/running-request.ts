// Where the event-loop watchdog (health/event-loop.ts) learns whose code runs: the event loop is one per
// process, so this seam is too. Reports are one call each, at the start of a request's synchronous sections.
import type { Exchange } from './exchange.js';

let observer: ((ex: Exchange) => void) | undefined;

/** A request's code starts running now: it arrived, passed a filter, got its body, or encodes its answer. */
export function requestRunning(ex: Exchange): void {
  observer?.(ex);
}

/** Who hears of running requests (the server's watchdog); undefined stops it. */
export function observeRunningRequests(o: ((ex: Exchange) => void) | undefined): void {
  observer = o;
}
