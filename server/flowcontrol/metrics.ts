// kube's apiserver_flowcontrol_* metrics (k8s.io/apiserver pkg/util/flowcontrol/metrics): names, help,
// labels and buckets as kube 1.35 has them, on the server's own registry.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

const plfs = ['priority_level', 'flow_schema'] as const;
const pl = ['priority_level'] as const;
const durationBuckets = [0, 0.005, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30];

/** One flow schema in one priority level: counted in plain fields per request, turned into samples when scraped. */
export interface FlowStats {
  readonly labels: { priority_level: string; flow_schema: string };
  dispatched: number;
  executingRequests: number;
  executingSeats: number;
  inqueueRequests: number;
  inqueueSeats: number;
}

export class FlowControlMetrics {
  readonly rejected: Counter<'priority_level' | 'flow_schema' | 'reason'>;
  readonly dispatched: Counter<'priority_level' | 'flow_schema'>;
  readonly inqueueRequests: Gauge<'priority_level' | 'flow_schema'>;
  readonly inqueueSeats: Gauge<'priority_level' | 'flow_schema'>;
  readonly executingRequests: Gauge<'priority_level' | 'flow_schema'>;
  readonly executingSeats: Gauge<'priority_level' | 'flow_schema'>;
  readonly waitDuration: Histogram<'priority_level' | 'flow_schema' | 'execute'>;
  readonly executionSeconds: Histogram<'priority_level' | 'flow_schema' | 'type'>;
  readonly estimatedSeats: Histogram<'priority_level' | 'flow_schema'>;
  readonly nominalLimit: Gauge<'priority_level'>;
  readonly lowerLimit: Gauge<'priority_level'>;
  readonly upperLimit: Gauge<'priority_level'>;
  readonly currentLimit: Gauge<'priority_level'>;

  private readonly flows = new Map<string, FlowStats>();

  /** The stats of one (level, schema) pair; label sets are hashed once here, not on every request. */
  flow(priorityLevel: string, flowSchema: string): FlowStats {
    const key = `${priorityLevel}\0${flowSchema}`;
    let f = this.flows.get(key);
    if (!f) {
      f = { labels: { priority_level: priorityLevel, flow_schema: flowSchema }, dispatched: 0, executingRequests: 0, executingSeats: 0, inqueueRequests: 0, inqueueSeats: 0 };
      this.flows.set(key, f);
    }
    return f;
  }

  constructor(registry: Registry) {
    const registers = [registry];
    const prefix = 'apiserver_flowcontrol_';
    // Sampled when scraped from the per-flow fields (a collect callback), as a gauge of in-flight work is.
    const flows = this.flows;
    const sample = (field: Exclude<keyof FlowStats, 'labels'>) => function collect(this: Gauge<'priority_level' | 'flow_schema'> | Counter<'priority_level' | 'flow_schema'>) {
      this.reset();
      for (const f of flows.values()) this.inc(f.labels, f[field]);
    };
    this.rejected = new Counter({ name: `${prefix}rejected_requests_total`, registers, labelNames: [...plfs, 'reason'], help: '[BETA] Number of requests rejected by API Priority and Fairness subsystem' });
    this.dispatched = new Counter({ name: `${prefix}dispatched_requests_total`, registers, labelNames: plfs, collect: sample('dispatched'), help: '[BETA] Number of requests executed by API Priority and Fairness subsystem' });
    this.inqueueRequests = new Gauge({ name: `${prefix}current_inqueue_requests`, registers, labelNames: plfs, collect: sample('inqueueRequests'), help: '[BETA] Number of requests currently pending in queues of the API Priority and Fairness subsystem' });
    this.inqueueSeats = new Gauge({ name: `${prefix}current_inqueue_seats`, registers, labelNames: plfs, collect: sample('inqueueSeats'), help: '[ALPHA] Number of seats currently pending in queues of the API Priority and Fairness subsystem' });
    this.executingRequests = new Gauge({ name: `${prefix}current_executing_requests`, registers, labelNames: plfs, collect: sample('executingRequests'), help: '[BETA] Number of requests in initial (for a WATCH) or any (for a non-WATCH) execution stage in the API Priority and Fairness subsystem' });
    this.executingSeats = new Gauge({ name: `${prefix}current_executing_seats`, registers, labelNames: plfs, collect: sample('executingSeats'), help: '[BETA] Concurrency (number of seats) occupied by the currently executing (initial stage for a WATCH, any stage otherwise) requests in the API Priority and Fairness subsystem' });
    this.waitDuration = new Histogram({ name: `${prefix}request_wait_duration_seconds`, registers, labelNames: [...plfs, 'execute'], buckets: durationBuckets, help: '[BETA] Length of time a request spent waiting in its queue' });
    this.executionSeconds = new Histogram({ name: `${prefix}request_execution_seconds`, registers, labelNames: [...plfs, 'type'], buckets: durationBuckets, help: '[ALPHA] Duration of initial stage (for a WATCH) or any (for a non-WATCH) stage of request execution in the API Priority and Fairness subsystem' });
    this.estimatedSeats = new Histogram({ name: `${prefix}work_estimated_seats`, registers, labelNames: plfs, buckets: [1, 2, 4, 8, 16, 32, 64, 100], help: '[ALPHA] Number of estimated seats (maximum of initial and final seats) associated with requests in API Priority and Fairness' });
    this.nominalLimit = new Gauge({ name: `${prefix}nominal_limit_seats`, registers, labelNames: pl, help: '[BETA] Nominal number of execution seats configured for each priority level' });
    this.lowerLimit = new Gauge({ name: `${prefix}lower_limit_seats`, registers, labelNames: pl, help: '[ALPHA] Configured lower bound on number of execution seats available to each priority level' });
    this.upperLimit = new Gauge({ name: `${prefix}upper_limit_seats`, registers, labelNames: pl, help: '[ALPHA] Configured upper bound on number of execution seats available to each priority level' });
    this.currentLimit = new Gauge({ name: `${prefix}current_limit_seats`, registers, labelNames: pl, help: '[ALPHA] current derived number of execution seats available to each priority level' });
  }
}
