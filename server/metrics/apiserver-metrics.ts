// One API server's Prometheus metrics: kube-apiserver 1.35's names, help, labels and buckets
// (k8s.io/apiserver endpoints/metrics, endpoints/filters/metrics.go, storage/etcd3/metrics, audit),
// the process and Node.js metrics, and ours under kube_apiserver_ts_. Each server has its own
// registry: tests run several servers in one process, and prom-client's default registry is global.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RequestLabels } from './request-labels.js';

/** What the server's parts report when scraped (sampled, not pushed). */
export interface MetricSources {
  inflight(): { readOnly: number; mutating: number };
  /** Objects per storage resource from the watch cache; undefined while it is not ready (kube: -1). */
  objectCounts(): Array<{ group: string; resource: string; count: number }> | undefined;
  watchCache(): { objects: number; historyEvents: number; historyBytes: number; revision: number };
  openWatches(): number;
  feedMode(): string;
  fanout?(): { modeSwitches: number; leader: boolean; published: number; publishErrors: number };
}

const requestLabelNames = ['verb', 'dry_run', 'group', 'version', 'resource', 'subresource', 'scope', 'component'] as const;
const longRunningLabelNames = ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component'] as const;
const gvrLabelNames = ['group', 'version', 'resource'] as const;
const etcdLabelNames = ['operation', 'group', 'resource'] as const;

// kube's buckets: request and etcd latency share the SLO buckets; sizes grow exponentially.
const latencyBuckets = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];
const exponential = (start: number, factor: number, count: number) => Array.from({ length: count }, (_, i) => start * factor ** i);
const responseSizeBuckets = exponential(1000, 10, 7);
const watchEventSizeBuckets = exponential(1024, 2, 8);
const authBuckets = exponential(0.001, 2, 15);

export class APIServerMetrics {
  readonly registry = new Registry();

  readonly requestTotal = new Counter({
    name: 'apiserver_request_total', registers: [this.registry], labelNames: [...requestLabelNames, 'code'],
    help: '[STABLE] Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
  });
  readonly requestDuration = new Histogram({
    name: 'apiserver_request_duration_seconds', registers: [this.registry], labelNames: requestLabelNames, buckets: latencyBuckets,
    help: '[STABLE] Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.',
  });
  readonly responseSizes = new Histogram({
    name: 'apiserver_response_sizes', registers: [this.registry], labelNames: longRunningLabelNames, buckets: responseSizeBuckets,
    help: '[STABLE] Response size distribution in bytes for each group, version, verb, resource, subresource, scope and component.',
  });
  readonly longRunning = new Gauge({
    name: 'apiserver_longrunning_requests', registers: [this.registry], labelNames: longRunningLabelNames,
    help: '[STABLE] Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component. Not all requests are tracked this way.',
  });
  readonly watchEvents = new Counter({
    name: 'apiserver_watch_events_total', registers: [this.registry], labelNames: gvrLabelNames,
    help: '[ALPHA] Number of events sent in watch clients',
  });
  readonly watchEventSizes = new Histogram({
    name: 'apiserver_watch_events_sizes', registers: [this.registry], labelNames: gvrLabelNames, buckets: watchEventSizeBuckets,
    help: '[ALPHA] Watch event size distribution in bytes',
  });
  readonly etcdDuration = new Histogram({
    name: 'etcd_request_duration_seconds', registers: [this.registry], labelNames: etcdLabelNames, buckets: latencyBuckets,
    help: '[ALPHA] Etcd request latency in seconds for each operation and object type.',
  });
  readonly etcdTotal = new Counter({
    name: 'etcd_requests_total', registers: [this.registry], labelNames: etcdLabelNames,
    help: '[ALPHA] Etcd request counts for each operation and object type.',
  });
  readonly etcdErrors = new Counter({
    name: 'etcd_request_errors_total', registers: [this.registry], labelNames: etcdLabelNames,
    help: '[ALPHA] Etcd failed request counts for each operation and object type.',
  });
  readonly auditEvents = new Counter({
    name: 'apiserver_audit_event_total', registers: [this.registry],
    help: '[ALPHA] Counter of audit events generated and sent to the audit backend.',
  });
  readonly authenticationAttempts = new Counter({
    name: 'authentication_attempts', registers: [this.registry], labelNames: ['result'],
    help: '[ALPHA] Counter of authenticated attempts.',
  });
  readonly authenticationDuration = new Histogram({
    name: 'authentication_duration_seconds', registers: [this.registry], labelNames: ['result'], buckets: authBuckets,
    help: '[ALPHA] Authentication duration in seconds broken out by result.',
  });
  readonly authenticatedUsers = new Counter({
    name: 'authenticated_user_requests', registers: [this.registry], labelNames: ['username'],
    help: '[ALPHA] Counter of authenticated requests broken out by username.',
  });
  readonly authorizationAttempts = new Counter({
    name: 'authorization_attempts_total', registers: [this.registry], labelNames: ['result'],
    help: '[ALPHA] Counter of authorization attempts broken down by result. It can be either \'allowed\', \'denied\', \'no-opinion\' or \'error\'.',
  });
  readonly authorizationDuration = new Histogram({
    name: 'authorization_duration_seconds', registers: [this.registry], labelNames: ['result'], buckets: authBuckets,
    help: '[ALPHA] Authorization duration in seconds broken out by result.',
  });

  constructor(sources: MetricSources) {
    const registers = [this.registry];
    new Gauge({
      name: 'apiserver_current_inflight_requests', registers, labelNames: ['request_kind'],
      // kube reports the highest count of the last second; this is the count when scraped.
      help: '[STABLE] Maximal number of currently used inflight request limit of this apiserver per request kind in last second.',
      collect() {
        const n = sources.inflight();
        this.set({ request_kind: 'mutating' }, n.mutating);
        this.set({ request_kind: 'readOnly' }, n.readOnly);
      },
    });
    // kube counts keys in etcd once a minute; the watch cache holds the same keys, counted when scraped.
    new Gauge({
      name: 'apiserver_storage_objects', registers, labelNames: ['resource'],
      help: '[STABLE] (Deprecated since 1.34.0) [DEPRECATED, consider using apiserver_resource_objects instead] Number of stored objects at the time of last check split by kind. In case of a fetching error, the value will be -1.',
      collect() {
        this.reset();
        for (const c of sources.objectCounts() ?? []) this.set({ resource: c.group ? `${c.resource}.${c.group}` : c.resource }, c.count);
      },
    });
    new Gauge({
      name: 'apiserver_resource_objects', registers, labelNames: ['group', 'resource'],
      help: '[ALPHA] Number of stored objects at the time of last check split by kind. In case of a fetching error, the value will be -1.',
      collect() {
        this.reset();
        for (const c of sources.objectCounts() ?? []) this.set({ group: c.group, resource: c.resource }, c.count);
      },
    });
    this.ownMetrics(sources);
    collectDefaultMetrics({ register: this.registry });
  }

  /** Ours: where the watch cache is fed from, the fan-out publisher, the cache's sizes. */
  private ownMetrics(sources: MetricSources): void {
    const registers = [this.registry];
    new Gauge({
      name: 'kube_apiserver_ts_watch_feed_mode', registers, labelNames: ['mode'], help: 'Which source feeds this instance\'s watch cache.',
      collect() {
        const mode = sources.feedMode();
        for (const m of ['redis', 'etcd']) this.set({ mode: m }, mode === m ? 1 : 0);
      },
    });
    const cacheGauge = (name: string, help: string, read: (c: ReturnType<MetricSources['watchCache']>) => number) => new Gauge({
      name, help, registers, collect() {
        this.set(read(sources.watchCache()));
      },
    });
    cacheGauge('kube_apiserver_ts_watch_cache_objects', 'Objects in this instance\'s watch cache (every resource).', (c) => c.objects);
    cacheGauge('kube_apiserver_ts_watch_cache_history_events', 'Events the watch cache keeps for resuming watches.', (c) => c.historyEvents);
    cacheGauge('kube_apiserver_ts_watch_cache_history_bytes', 'Bytes of object values held by the watch cache\'s event history.', (c) => c.historyBytes);
    cacheGauge('kube_apiserver_ts_watch_cache_revision', 'The etcd revision the watch cache reflects.', (c) => c.revision);
    new Gauge({
      name: 'kube_apiserver_ts_watches', registers, help: 'Watches this instance is serving now.',
      collect() {
        this.set(sources.openWatches());
      },
    });
    const fanout = sources.fanout;
    if (!fanout) return;
    // Totals kept by the fan-out itself: the counter is set to them when scraped.
    const total = (name: string, help: string, read: (f: ReturnType<NonNullable<MetricSources['fanout']>>) => number) => new Counter({
      name, help, registers, collect() {
        this.reset();
        this.inc(read(fanout()));
      },
    });
    total('kube_apiserver_ts_watch_feed_switches_total', 'Changes of the watch feed between Redis and etcd.', (f) => f.modeSwitches);
    new Gauge({
      name: 'kube_apiserver_ts_fanout_publisher_leader', registers, help: 'Whether this instance publishes etcd events to the Redis stream.',
      collect() {
        this.set(fanout().leader ? 1 : 0);
      },
    });
    total('kube_apiserver_ts_fanout_published_total', 'Stream entries this instance added.', (f) => f.published);
    total('kube_apiserver_ts_fanout_publish_errors_total', 'Stream entries this instance failed to add.', (f) => f.publishErrors);
  }

  /** One request, once its response is over (kube's MonitorRequest). */
  observeRequest(labels: RequestLabels, code: number, seconds: number, responseBytes: number | undefined): void {
    this.requestTotal.inc({ ...labels, code: String(code) });
    this.requestDuration.observe(labels, seconds);
    if (responseBytes !== undefined) {
      const { dry_run: _, ...sizeLabels } = labels;
      this.responseSizes.observe(sizeLabels, responseBytes);
    }
  }

  /** kube's RecordDroppedRequest: a request refused with 429 before it reached its handler. */
  observeDropped(labels: RequestLabels): void {
    this.requestTotal.inc({ ...labels, code: '429' });
  }

  /** kube's RecordLongRunning: +1 now, -1 when the returned function is called. */
  longRunningStarted(labels: RequestLabels): () => void {
    const { dry_run: _, ...gaugeLabels } = labels;
    this.longRunning.inc(gaugeLabels);
    return () => this.longRunning.dec(gaugeLabels);
  }

  observeWatchEvent(group: string, version: string, resource: string, bytes: number): void {
    const labels = { group, version, resource };
    this.watchEvents.inc(labels);
    this.watchEventSizes.observe(labels, bytes);
  }

  /** kube's RecordEtcdRequest. */
  observeEtcd(operation: string, group: string, resource: string, seconds: number, failed: boolean): void {
    const labels = { operation, group, resource };
    this.etcdDuration.observe(labels, seconds);
    this.etcdTotal.inc(labels);
    if (failed) this.etcdErrors.inc(labels);
  }

  /** kube's recordAuthenticationMetrics: success, failure (no authenticator answered) or error (a bad credential). */
  observeAuthentication(result: 'success' | 'failure' | 'error', seconds: number, username?: string): void {
    this.authenticationAttempts.inc({ result });
    this.authenticationDuration.observe({ result }, seconds);
    if (result === 'success' && username !== undefined) this.authenticatedUsers.inc({ username: compressUsername(username) });
  }

  /** kube's recordAuthorizationMetrics. */
  observeAuthorization(decision: 'allow' | 'deny' | 'no-opinion', seconds: number): void {
    const result = decision === 'allow' ? 'allowed' : decision === 'deny' ? 'denied' : 'no-opinion';
    this.authorizationAttempts.inc({ result });
    this.authorizationDuration.observe({ result }, seconds);
  }

  /** The Prometheus text exposition. */
  expose(): Promise<string> {
    return this.registry.metrics();
  }
}

/** kube's compressUsername: a few known identities by name, the rest as categories (no user names in metrics). */
function compressUsername(name: string): string {
  if (['admin', 'client', 'kube_proxy', 'kubelet', 'system:serviceaccount:kube-system:default'].includes(name)) return name;
  return name.includes('@') ? 'email_id' : 'other';
}
