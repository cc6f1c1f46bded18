// One typed configuration built from flags and environment, with kube-apiserver's flag names.

export interface ServerConfig {
  /** --etcd-servers: comma-separated URLs. */
  etcdServers: string[];
  /** --bind-address */
  bindAddress: string;
  /** --secure-port: the port this instance listens on (plain HTTP unless --tls-cert-file is set). */
  securePort: number;
  /** --tls-cert-file / --tls-private-key-file */
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  /** --service-cluster-ip-range */
  serviceClusterIPRange: string;
  /** --service-node-port-range */
  serviceNodePortRange: [number, number];
  /** --etcd-compaction-interval in seconds; 0 disables compaction. */
  etcdCompactionIntervalSeconds: number;
  /** --etcd-request-timeout in seconds. */
  etcdRequestTimeoutSeconds: number;
  /** --redis-url: watch fan-out through Redis (redis://host:port); unset, each instance watches etcd itself. */
  redisUrl?: string;
  /** --redis-key-prefix: prefix of the fan-out's Redis keys, so clusters can share one Redis. */
  redisKeyPrefix: string;
  /**
   * --shutdown-delay-duration in seconds: after SIGTERM, /readyz fails while requests are still
   * served this long, so load balancers stop sending before the listener closes (kube: 0s).
   */
  shutdownDelaySeconds: number;
  /** --request-timeout in seconds: how long a request that is not long-running may take (kube: 60s). */
  requestTimeoutSeconds: number;
  /** --instance-name: how this instance names itself in logs and leases. */
  instanceName: string;
  /** --watch-cache-history: events kept per instance for resuming watches. */
  watchCacheHistory: number;
  /** --watch-bookmark-interval in seconds (kube-apiserver sends bookmarks about once a minute). */
  watchBookmarkIntervalSeconds: number;
  /** --watch-max-queued-bytes: a watcher this far behind is disconnected. */
  watchMaxQueuedBytes: number;
}

const defaults: ServerConfig = {
  etcdServers: ['http://127.0.0.1:2379'],
  bindAddress: '127.0.0.1',
  securePort: 6443,
  serviceClusterIPRange: '10.96.0.0/12',
  serviceNodePortRange: [30000, 32767],
  etcdCompactionIntervalSeconds: 300,
  etcdRequestTimeoutSeconds: 5,
  requestTimeoutSeconds: 60,
  redisKeyPrefix: 'kube-apiserver-ts:',
  shutdownDelaySeconds: 0,
  instanceName: 'apiserver',
  watchCacheHistory: 10000,
  watchBookmarkIntervalSeconds: 60,
  watchMaxQueuedBytes: 32 * 1024 * 1024,
};

/** Flags win over environment (KUBE_APISERVER_<FLAG_NAME>), which wins over defaults. */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const eq = a.indexOf('=');
    if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
    else flags.set(a.slice(2), argv[++i] ?? '');
  }
  const get = (name: string): string | undefined => flags.get(name) ?? env[`KUBE_APISERVER_${name.toUpperCase().replace(/-/g, '_')}`];
  const known = new Set(['etcd-servers', 'bind-address', 'secure-port', 'tls-cert-file', 'tls-private-key-file', 'service-cluster-ip-range',
    'service-node-port-range', 'etcd-compaction-interval', 'etcd-request-timeout', 'request-timeout', 'instance-name', 'redis-url', 'redis-key-prefix', 'shutdown-delay-duration',
    'watch-cache-history', 'watch-bookmark-interval', 'watch-max-queued-bytes']);
  for (const k of flags.keys()) if (!known.has(k)) throw new Error(`unknown flag: --${k}`);

  const cfg: ServerConfig = { ...defaults };
  const etcd = get('etcd-servers');
  if (etcd) cfg.etcdServers = etcd.split(',').map((s) => s.trim()).filter(Boolean);
  cfg.bindAddress = get('bind-address') ?? cfg.bindAddress;
  const port = get('secure-port');
  if (port !== undefined) cfg.securePort = intFlag('secure-port', port);
  cfg.tlsCertFile = get('tls-cert-file');
  cfg.tlsPrivateKeyFile = get('tls-private-key-file');
  cfg.serviceClusterIPRange = get('service-cluster-ip-range') ?? cfg.serviceClusterIPRange;
  const npr = get('service-node-port-range');
  if (npr) {
    const m = npr.match(/^(\d+)-(\d+)$/);
    if (!m) throw new Error(`--service-node-port-range must look like 30000-32767, got ${npr}`);
    cfg.serviceNodePortRange = [Number(m[1]), Number(m[2])];
  }
  const compaction = get('etcd-compaction-interval');
  if (compaction !== undefined) cfg.etcdCompactionIntervalSeconds = durationSeconds('etcd-compaction-interval', compaction);
  const rt = get('etcd-request-timeout');
  if (rt !== undefined) cfg.etcdRequestTimeoutSeconds = durationSeconds('etcd-request-timeout', rt);
  const redisUrl = get('redis-url');
  if (redisUrl) {
    if (!/^rediss?:\/\/[^/]+/.test(redisUrl)) throw new Error(`--redis-url must look like redis://host:port, got ${redisUrl}`);
    cfg.redisUrl = redisUrl;
  }
  cfg.redisKeyPrefix = get('redis-key-prefix') ?? cfg.redisKeyPrefix;
  const shutdownDelay = get('shutdown-delay-duration');
  if (shutdownDelay !== undefined) cfg.shutdownDelaySeconds = durationSeconds('shutdown-delay-duration', shutdownDelay);
  const requestTimeout = get('request-timeout');
  if (requestTimeout !== undefined) cfg.requestTimeoutSeconds = durationSeconds('request-timeout', requestTimeout);
  cfg.instanceName = get('instance-name') ?? `apiserver-${cfg.securePort}`;
  const history = get('watch-cache-history');
  if (history !== undefined) cfg.watchCacheHistory = intFlag('watch-cache-history', history);
  const bookmarks = get('watch-bookmark-interval');
  if (bookmarks !== undefined) cfg.watchBookmarkIntervalSeconds = durationSeconds('watch-bookmark-interval', bookmarks);
  const queued = get('watch-max-queued-bytes');
  if (queued !== undefined) cfg.watchMaxQueuedBytes = intFlag('watch-max-queued-bytes', queued);
  return cfg;
}

function intFlag(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a whole number, got ${v}`);
  return n;
}

/** Accepts Go-style durations (5m, 30s, 1h) or plain seconds. */
function durationSeconds(name: string, v: string): number {
  const m = v.match(/^(\d+)(ms|s|m|h)?$/);
  if (!m) throw new Error(`--${name} must be a duration like 5m or 30s, got ${v}`);
  const n = Number(m[1]);
  switch (m[2]) {
    case 'ms': return n / 1000;
    case 'm': return n * 60;
    case 'h': return n * 3600;
    default: return n;
  }
}
