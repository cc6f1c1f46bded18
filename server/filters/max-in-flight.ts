// Max in-flight (kube's WithMaxInFlightLimit, what kube runs in the priority-and-fairness slot when APF
// is off): at most --max-requests-inflight reads and --max-mutating-requests-inflight writes are handled
// at once; one more is refused with 429 at once (no queue). Long-running requests are not counted.
import { mastersGroup } from '../authentication/user.js';
import type { Exchange } from '../http/exchange.js';
import type { Filter } from './chain.js';
import { isLongRunning } from './timeout.js';

// kube's nonMutatingRequestVerbs: everything else (create, update, patch, delete, post to a non-resource path...) is mutating.
const nonMutatingVerbs = new Set(['get', 'list', 'watch']);
// kube's default `probes` FlowSchema puts these in the exempt level: a busy instance still answers its health checks.
const probePaths = new Set(['/healthz', '/readyz', '/livez']);

export class MaxInFlight implements Filter {
  readonly name = 'max-in-flight';
  /** Requests holding a slot now. */
  readOnly = 0;
  mutating = 0;

  /** A limit of 0 leaves that kind unbounded, as kube's. `onRejected` counts a 429 (kube's RecordDroppedRequest). */
  constructor(readonly nonMutatingLimit: number, readonly mutatingLimit: number, private readonly onRejected?: (ex: Exchange) => void) {}

  async filter(ex: Exchange, next: () => Promise<void>): Promise<void> {
    const info = ex.requestInfo;
    if (!info || isLongRunning(info)) return next();
    if (!info.isResourceRequest && info.verb === 'get' && probePaths.has(info.path)) return next();
    const isMutating = !nonMutatingVerbs.has(info.verb);
    const limit = isMutating ? this.mutatingLimit : this.nonMutatingLimit;
    if (limit === 0) return next();
    if ((isMutating ? this.mutating : this.readOnly) >= limit) {
      // kube: system:masters (a super-admin or the loopback client) always gets an answer, outside the count.
      if (ex.user?.groups.includes(mastersGroup)) return next();
      this.onRejected?.(ex);
      return tooManyRequests(ex);
    }
    if (isMutating) this.mutating++;
    else this.readOnly++;
    try {
      await next();
    } finally {
      if (isMutating) this.mutating--;
      else this.readOnly--;
    }
  }

  /** Requests holding a slot now: kube's apiserver_current_inflight_requests (which reports the highest of the last second). */
  counts(): { readOnly: number; mutating: number } {
    return { readOnly: this.readOnly, mutating: this.mutating };
  }
}

/** kube's tooManyRequests: Go's http.Error, so plain text, not a Status (client-go turns it into TooManyRequests itself). */
function tooManyRequests(ex: Exchange): void {
  ex.send(429, 'Too many requests, please try again later.\n', 'text/plain; charset=utf-8', { 'Retry-After': '1', 'X-Content-Type-Options': 'nosniff' });
}
