// Priority and fairness (kube's WithPriorityAndFairness): each request is classified by FlowSchema into a
// priority level, takes its estimated seats there at once, waits in its flow's queue, or is refused with
// 429 and a Retry-After; the response names the schema and level by UID. Long-running requests other
// than watches are not limited; a watch holds its seats only while it is set up.
import { anonymousUser } from '../authentication/user.js';
import type { Exchange } from '../http/exchange.js';
import type { FlowControl } from '../flowcontrol/controller.js';
import { DroppedRequests } from '../flowcontrol/dropped-requests.js';
import type { FlowControlMetrics } from '../flowcontrol/metrics.js';
import { hashFlowID } from '../flowcontrol/shuffle-sharding.js';
import { estimateSeats, type ObjectStats } from '../flowcontrol/work-estimate.js';
import type { Filter } from './chain.js';
import { parseDuration } from './duration.js';
import { isLongRunning } from './timeout.js';

export interface PriorityAndFairnessOptions {
  /** --request-timeout in seconds: a request may wait a quarter of it (at most a minute), as in kube. */
  requestTimeoutSeconds: number;
  metrics?: FlowControlMetrics;
  /** Objects stored per resource, for the seats a LIST takes. */
  objectStats?: (group: string, resource: string) => ObjectStats | undefined;
}

// kube's defaultRequestWaitLimit: for a watch, whose context has no deadline.
const watchWaitMs = 15_000;
const nonMutatingVerbs = new Set(['get', 'list', 'watch']);
const maxWaitMs = 60_000;

export class PriorityAndFairness implements Filter {
  readonly name = 'priority-and-fairness';
  private readonly dropped = new DroppedRequests();
  /** Requests executing now, reads and writes apart (kube's apiserver_current_inflight_requests under APF). */
  private readOnly = 0;
  private mutating = 0;

  constructor(private readonly flowControl: FlowControl, private readonly opts: PriorityAndFairnessOptions) {}

  async filter(ex: Exchange, next: () => Promise<void>): Promise<void> {
    const info = ex.requestInfo;
    if (!info || (isLongRunning(info) && info.verb !== 'watch')) return next();
    const c = this.flowControl.classify({ info, user: ex.user ?? anonymousUser });
    const pl = c.priorityLevel;
    // UIDs, not names: the names an administrator chose are not told to whoever is refused.
    ex.responseHeaders['X-Kubernetes-PF-FlowSchema-UID'] = c.flowSchema.uid;
    ex.responseHeaders['X-Kubernetes-PF-PriorityLevel-UID'] = pl.uid;
    const m = this.opts.metrics;
    const flow = m?.flow(pl.name, c.flowSchema.name);
    const seats = pl.exempt ? 1 : estimateSeats(info, ex.query, this.opts.objectStats?.(info.apiGroup, info.resource), pl.maxSeats);
    if (flow) m!.estimatedSeats.observe(flow.estimatedSeats, seats);
    const started = performance.now();
    let admission = pl.queueSet.start(flowHash(c.flowSchema.name, c.distinguisher), seats, this.waitLimitMs(ex, info.verb), (cancel) => ex.onAbort(cancel));
    if (admission instanceof Promise) {
      if (flow) {
        flow.inqueueRequests++;
        flow.inqueueSeats += seats;
      }
      try {
        admission = await admission;
      } finally {
        if (flow) {
          flow.inqueueRequests--;
          flow.inqueueSeats -= seats;
        }
      }
    }
    if (flow) m!.waitDuration.observe(admission.dispatched ? flow.waitExecuted : flow.waitRejected, (performance.now() - started) / 1000);
    if (!admission.dispatched) {
      m?.rejected.inc({ priority_level: pl.name, flow_schema: c.flowSchema.name, reason: admission.reason });
      this.dropped.record(pl.name);
      if (admission.reason === 'cancelled') return;
      return tooManyRequests(ex, this.dropped.retryAfter(pl.name));
    }
    if (flow) {
      flow.dispatched++;
      flow.executingRequests++;
      flow.executingSeats += seats;
    }
    const executing = performance.now();
    const isMutating = !nonMutatingVerbs.has(info.verb);
    if (isMutating) this.mutating++;
    else this.readOnly++;
    try {
      await next();
    } finally {
      if (isMutating) this.mutating--;
      else this.readOnly--;
      admission.release();
      if (flow) {
        flow.executingRequests--;
        flow.executingSeats -= seats;
      }
      if (flow) m!.executionSeconds.observe(flow.execution, (performance.now() - executing) / 1000);
      this.flowControl.released(pl);
    }
  }

  counts(): { readOnly: number; mutating: number } {
    return { readOnly: this.readOnly, mutating: this.mutating };
  }

  /** kube's getRequestWaitContext: a quarter of the request's deadline, at most a minute; 15 s for a watch. */
  private waitLimitMs(ex: Exchange, verb: string): number {
    if (verb === 'watch') return watchWaitMs;
    let ms = this.opts.requestTimeoutSeconds * 1000;
    const asked = ex.query.get('timeout');
    const d = asked ? parseDuration(asked).ms : undefined;
    if (d && d > 0 && d < ms) ms = d;
    return Math.min(maxWaitMs, ms / 4) - (performance.now() + performance.timeOrigin - ex.receivedAt);
  }
}

// sha256 per request is most of the filter's cost: a flow's hash is kept (flows are few; the memo is bounded).
const flowHashes = new Map<string, bigint>();
function flowHash(flowSchema: string, distinguisher: string): bigint {
  const key = `${flowSchema}\0${distinguisher}`;
  let h = flowHashes.get(key);
  if (h === undefined) {
    if (flowHashes.size >= 10_000) flowHashes.clear();
    h = hashFlowID(flowSchema, distinguisher);
    flowHashes.set(key, h);
  }
  return h;
}

/** kube's tooManyRequests: Go's http.Error, plain text (client-go makes a TooManyRequests error of it). */
function tooManyRequests(ex: Exchange, retryAfterSeconds: number): void {
  ex.send(429, 'Too many requests, please try again later.\n', 'text/plain; charset=utf-8', { 'Retry-After': String(retryAfterSeconds), 'X-Content-Type-Options': 'nosniff' });
}
