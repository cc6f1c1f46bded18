// kube's apiserver_flowcontrol_* metrics (k8s.io/apiserver pkg/util/flowcontrol/metrics): names, help,
// labels and buckets as kube 1.35 has them, on the server's own registry.
import { Counter, Gauge, type Registry } from 'prom-client';

const plfs = ['priority_level', 'flow_schema'] as const;
const pl = ['priority_level'] as const;
const durationBuckets = [0, 0.005, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30];

/** One labelled series of a FlowHistogram: bucket counts (not cumulative), sum and count. */
export interface HistogramSeries {
  readonly labels: Record<string, string>;
  readonly buckets: number[];
  sum: number;
  count: number;
}

/**
 * A Prometheus histogram whose series the caller holds: prom-client's Histogram validates and hashes the
 * label set on every observation, which was most of the filter's cost; the per-flow series are made once.
 */
class FlowHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series: HistogramSeries[] = [];

  constructor(readonly name: string, readonly help: string, private readonly bounds: number[], registry: Registry) {
    registry.registerMetric(this as never);
  }

  newSeries(labels: Record<string, string>): HistogramSeries {
    const s = { labels, buckets: this.bounds.map(() => 0), sum: 0, count: 0 };
    this.series.push(s);
    return s;
  }

  observe(s: HistogramSeries, value: number): void {
    const i = this.bounds.findIndex((b) => value <= b);
    if (i >= 0) s.buckets[i]++;
    s.sum += value;
    s.count++;
  }

  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }> }> {
    const values: Array<{ labels: Record<string, string | number>; value: number; metricName: string }> = [];
    for (const s of this.series) {
      if (!s.count) continue; // a series shows once observed, as in kube's histogram vectors
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += s.buckets[i];
        values.push({ labels: { ...s.labels, le }, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { ...s.labels, le: '+Inf' }, value: s.count, metricName: `${this.name}_bucket` });
      values.push({ labels: s.labels, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: s.labels, value: s.count, metricName: `${this.name}_count` });
    }
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  reset(): void {
    for (const s of this.series) {
      s.buckets.fill(0);
      s.sum = 0;
      s.count = 0;
    }
  }
}

/** One flow schema in one priority level: counted in plain fields per request, turned into samples when scraped. */
export interface FlowStats {
  readonly labels: { priority_level: string; flow_schema: string };
  dispatched: number;
  executingRequests: number;
  executingSeats: number;
  inqueueRequests: number;
  inqueueSeats: number;
  readonly waitExecuted: HistogramSeries;
  readonly waitRejected: HistogramSeries;
  readonly execution: HistogramSeries;
  readonly estimatedSeats: HistogramSeries;
}

export class FlowControlMetrics {
  readonly rejected: Counter<'priority_level' | 'flow_schema' | 'reason'>;
  readonly dispatched: Counter<'priority_level' | 'flow_schema'>;
  readonly inqueueRequests: Gauge<'priority_level' | 'flow_schema'>;
  readonly inqueueSeats: Gauge<'priority_level' | 'flow_schema'>;
  readonly executingRequests: Gauge<'priority_level' | 'flow_schema'>;
  readonly executingSeats: Gauge<'priority_level' | 'flow_schema'>;
  readonly waitDuration: FlowHistogram;
  readonly executionSeconds: FlowHistogram;
  readonly estimatedSeats: FlowHistogram;
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
      const labels = { priority_level: priorityLevel, flow_schema: flowSchema };
      f = {
        labels, dispatched: 0, executingRequests: 0, executingSeats: 0, inqueueRequests: 0, inqueueSeats: 0,
        waitExecuted: this.waitDuration.newSeries({ ...labels, execute: 'true' }), waitRejected: this.waitDuration.newSeries({ ...labels, execute: 'false' }),
        execution: this.executionSeconds.newSeries({ ...labels, type: 'regular' }), estimatedSeats: this.estimatedSeats.newSeries(labels),
      };
      this.flows.set(key, f);
    }
    return f;
  }

  constructor(registry: Registry) {
    const registers = [registry];
    const prefix = 'apiserver_flowcontrol_';
    // Sampled when scraped from the per-flow fields (a collect callback), as a gauge of in-flight work is.
    const flows = this.flows;
    const sample = (field: 'dispatched' | 'executingRequests' | 'executingSeats' | 'inqueueRequests' | 'inqueueSeats') => function collect(this: Gauge<'priority_level' | 'flow_schema'> | Counter<'priority_level' | 'flow_schema'>) {
      this.reset();
      for (const f of flows.values()) this.inc(f.labels, f[field]);
    };
    this.rejected = new Counter({ name: `${prefix}rejected_requests_total`, registers, labelNames: [...plfs, 'reason'], help: '[BETA] Number of requests rejected by API Priority and Fairness subsystem' });
    this.dispatched = new Counter({ name: `${prefix}dispatched_requests_total`, registers, labelNames: plfs, collect: sample('dispatched'), help: '[BETA] Number of requests executed by API Priority and Fairness subsystem' });
    this.inqueueRequests = new Gauge({ name: `${prefix}current_inqueue_requests`, registers, labelNames: plfs, collect: sample('inqueueRequests'), help: '[BETA] Number of requests currently pending in queues of the API Priority and Fairness subsystem' });
    this.inqueueSeats = new Gauge({ name: `${prefix}current_inqueue_seats`, registers, labelNames: plfs, collect: sample('inqueueSeats'), help: '[ALPHA] Number of seats currently pending in queues of the API Priority and Fairness subsystem' });
    this.executingRequests = new Gauge({ name: `${prefix}current_executing_requests`, registers, labelNames: plfs, collect: sample('executingRequests'), help: '[BETA] Number of requests in initial (for a WATCH) or any (for a non-WATCH) execution stage in the API Priority and Fairness subsystem' });
    this.executingSeats = new Gauge({ name: `${prefix}current_executing_seats`, registers, labelNames: plfs, collect: sample('executingSeats'), help: '[BETA] Concurrency (number of seats) occupied by the currently executing (initial stage for a WATCH, any stage otherwise) requests in the API Priority and Fairness subsystem' });
    this.waitDuration = new FlowHistogram(`${prefix}request_wait_duration_seconds`, '[BETA] Length of time a request spent waiting in its queue', durationBuckets, registry);
    this.executionSeconds = new FlowHistogram(`${prefix}request_execution_seconds`, '[ALPHA] Duration of initial stage (for a WATCH) or any (for a non-WATCH) stage of request execution in the API Priority and Fairness subsystem', durationBuckets, registry);
    this.estimatedSeats = new FlowHistogram(`${prefix}work_estimated_seats`, '[ALPHA] Number of estimated seats (maximum of initial and final seats) associated with requests in API Priority and Fairness', [1, 2, 4, 8, 16, 32, 64, 100], registry);
    this.nominalLimit = new Gauge({ name: `${prefix}nominal_limit_seats`, registers, labelNames: pl, help: '[BETA] Nominal number of execution seats configured for each priority level' });
    this.lowerLimit = new Gauge({ name: `${prefix}lower_limit_seats`, registers, labelNames: pl, help: '[ALPHA] Configured lower bound on number of execution seats available to each priority level' });
    this.upperLimit = new Gauge({ name: `${prefix}upper_limit_seats`, registers, labelNames: pl, help: '[ALPHA] Configured upper bound on number of execution seats available to each priority level' });
    this.currentLimit = new Gauge({ name: `${prefix}current_limit_seats`, registers, labelNames: pl, help: '[ALPHA] current derived number of execution seats available to each priority level' });
  }
}
