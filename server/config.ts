// One typed configuration built from flags and environment, with kube-apiserver's flag names.
import { enabledAdmissionPlugins } from './admission/plugins.js';
import { parseLoggingFormat } from './logging/logger.js';

export interface ServerConfig {
  /** --enable-admission-plugins / --disable-admission-plugins, resolved: the plugins to run, in kube's order (unset: kube's defaults). */
  admissionPlugins?: string[];
  /** --etcd-servers: comma-separated URLs. */
  etcdServers: string[];
  /** --bind-address */
  bindAddress: string;
  /** --secure-port: the port this instance listens on (plain HTTP unless --tls-cert-file is set). */
  securePort: number;
  /**
   * --front-proxy-port (ours; kube has one port): a second TLS listener for the front proxy alone. X-Remote-*
   * identity headers are read only there (with the proxy's per-request MAC, pki/front-proxy-proof.ts), never
   * on --secure-port, where clients that talk to the instance directly authenticate themselves.
   */
  frontProxyPort?: number;
  /** --tls-cert-file / --tls-private-key-file */
  tlsCertFile?: string;
  tlsPrivateKeyFile?: string;
  /** --service-cluster-ip-range */
  serviceClusterIPRange: string;
  /** --service-node-port-range */
  serviceNodePortRange: [number, number];
  /** --etcd-cafile / --etcd-certfile / --etcd-keyfile: TLS to etcd (https:// servers) and the client certificate it requires. */
  etcdCAFile?: string;
  etcdCertFile?: string;
  etcdKeyFile?: string;
  /** --etcd-compaction-interval in seconds; 0 disables compaction. */
  etcdCompactionIntervalSeconds: number;
  /** --etcd-request-timeout in seconds. */
  etcdRequestTimeoutSeconds: number;
  /** --redis-url: watch fan-out through Redis (redis://host:port); unset, each instance watches etcd itself. */
  redisUrl?: string;
  /** --redis-key-prefix: prefix of the fan-out's Redis keys, so clusters can share one Redis. */
  redisKeyPrefix: string;
  /** --redis-password-file: the password of --redis-url's user (rediss://user@host:port), read from a file so no command line shows it. */
  redisPasswordFile?: string;
  /** --redis-ca-file / --redis-cert-file / --redis-key-file: TLS to Redis (rediss://) and the client certificate it may require. */
  redisCAFile?: string;
  redisCertFile?: string;
  redisKeyFile?: string;
  /** --redis-stream-key-file: the HMAC-SHA256 key fan-out stream entries are signed and checked with; unset, entries are taken unauthenticated. */
  redisStreamKeyFile?: string;
  /**
   * --shutdown-delay-duration in seconds: after SIGTERM, /readyz fails while requests are still
   * served this long, so load balancers stop sending before the listener closes (kube: 0s).
   */
  shutdownDelaySeconds: number;
  /** --request-timeout in seconds: how long a request that is not long-running may take (kube: 60s). */
  requestTimeoutSeconds: number;
  /** --max-requests-inflight: read-only requests handled at once, past it 429 (kube: 400; 0: no limit). */
  maxRequestsInFlight: number;
  /** --enable-priority-and-fairness (kube: true): API Priority and Fairness, else the max-in-flight filter. */
  enablePriorityAndFairness: boolean;
  /** --max-mutating-requests-inflight: mutating requests handled at once, past it 429 (kube: 200; 0: no limit). */
  maxMutatingRequestsInFlight: number;
  /** --event-loop-block-threshold in seconds: a loop blocked this long fails /livez's event-loop check (0: no watchdog). */
  eventLoopBlockThresholdSeconds: number;
  /** --instance-name: how this instance names itself in logs and leases. */
  instanceName: string;
  /** --watch-cache-history: events kept per instance for resuming watches. */
  watchCacheHistory: number;
  /** --watch-bookmark-interval in seconds (kube-apiserver sends bookmarks about once a minute). */
  watchBookmarkIntervalSeconds: number;
  /** --watch-max-queued-bytes: a watcher this far behind is disconnected. */
  watchMaxQueuedBytes: number;
  /** --tracing-config-file: kube's TracingConfiguration (OTLP gRPC endpoint, samplingRatePerMillion); else the OTEL_* environment decides. */
  tracingConfigFile?: string;
  /** --logging-format: text (default) or json (kube's component-base/logs). */
  loggingFormat: 'text' | 'json';
  /** -v / --v: log verbosity (kube's klog level; request lines from 3). */
  verbosity: number;
  /** Authentication, authorization, audit and certificate flags, with kube-apiserver's names and defaults. */
  security: SecurityConfig;
}

/**
 * The security flags. Paths are files the launcher's PKI (pki/) writes in kubeadm's layout; the
 * server's own defaults are kube-apiserver's flag defaults (anonymous allowed, AlwaysAllow), which the
 * launcher replaces with a locked-down set (TLS, RBAC, anonymous only for health and discovery of the issuer).
 */
export interface SecurityConfig {
  /** --tls-min-version (VersionTLS12 | VersionTLS13). */
  tlsMinVersion: 'VersionTLS12' | 'VersionTLS13';
  /** --tls-cipher-suites: IANA names; empty keeps kube's defaults. */
  tlsCipherSuites: string[];
  /** --client-ca-file: CA for client certificates (verified where TLS ends: the LB; an instance's uWS cannot read one). */
  clientCAFile?: string;
  /** --requestheader-client-ca-file: the CA that signs the front proxy's client certificate. */
  requestheaderClientCAFile?: string;
  /** --requestheader-allowed-names: common names a front proxy certificate may have; empty: any the CA signed. */
  requestheaderAllowedNames: string[];
  /** --requestheader-username-headers / -group-headers / -extra-headers-prefix (kubeadm's values by default). */
  requestheaderUsernameHeaders: string[];
  requestheaderGroupHeaders: string[];
  requestheaderExtraHeadersPrefix: string[];
  /** --requestheader-uid-headers: published for extension servers (kube: empty unless set). */
  requestheaderUIDHeaders: string[];
  /** --proxy-client-cert-file / --proxy-client-key-file: the front-proxy client certificate the aggregator presents to extension servers. */
  proxyClientCertFile?: string;
  proxyClientKeyFile?: string;
  /** --enable-aggregator-routing: extension servers are called at an endpoint of their Service, not its cluster IP. */
  enableAggregatorRouting: boolean;
  /** --token-auth-file: CSV token,user,uid,"group1,group2". */
  tokenAuthFile?: string;
  /** --service-account-key-file (repeatable or comma-separated): public keys service-account tokens are verified with. */
  serviceAccountKeyFiles: string[];
  /** --service-account-signing-key-file: private key TokenRequest signs with. */
  serviceAccountSigningKeyFile?: string;
  /** --service-account-issuer (repeatable or comma-separated): the first signs, every one is accepted. */
  serviceAccountIssuers: string[];
  /** --api-audiences: audiences a token must be for; defaults to the issuers. */
  apiAudiences: string[];
  /** --service-account-max-token-expiration in seconds; 0: no maximum. */
  serviceAccountMaxTokenExpirationSeconds: number;
  /** --service-account-lookup: a token is valid only while its service account (and secret, pod) exist. */
  serviceAccountLookup: boolean;
  /** --oidc-* */
  oidcIssuerURL?: string;
  oidcClientID?: string;
  oidcUsernameClaim: string;
  oidcUsernamePrefix?: string;
  oidcGroupsClaim?: string;
  oidcGroupsPrefix?: string;
  oidcCAFile?: string;
  oidcRequiredClaims: Record<string, string>;
  oidcSigningAlgs: string[];
  /** --anonymous-auth: requests with no credentials are system:anonymous (else 401). */
  anonymousAuth: boolean;
  /** --authentication-config: an AuthenticationConfiguration file; read for anonymous.conditions (the paths anonymous may use). */
  authenticationConfigFile?: string;
  /** --authorization-mode: AlwaysAllow, AlwaysDeny, RBAC (Node is not served). */
  authorizationModes: string[];
  /** --admission-control-config-file: an AdmissionConfiguration with the plugins' configurations (PodSecurity's). */
  admissionControlConfigFile?: string;
  /** --audit-policy-file, --audit-log-*, --audit-webhook-* */
  auditPolicyFile?: string;
  auditLogPath?: string;
  auditLogMaxAgeDays: number;
  auditLogMaxBackups: number;
  auditLogMaxSizeMB: number;
  auditLogFormat: 'json' | 'legacy';
  auditLogMode: 'blocking' | 'blocking-strict' | 'batch';
  auditWebhookConfigFile?: string;
  auditWebhookBatchMaxSize: number;
  auditWebhookBatchMaxWaitSeconds: number;
  auditWebhookMode: 'blocking' | 'blocking-strict' | 'batch';
  /** --audit-webhook-initial-backoff: the wait before the first retry of a failed webhook request. */
  auditWebhookInitialBackoffSeconds: number;
  /** --cluster-signing-cert-file / -key-file: the CA the built-in CSR signers sign with (kube-controller-manager's flags). */
  clusterSigningCertFile?: string;
  clusterSigningKeyFile?: string;
  /** --cluster-signing-duration in seconds (kube: 1 year). */
  clusterSigningDurationSeconds: number;
}

const securityDefaults: SecurityConfig = {
  tlsMinVersion: 'VersionTLS12',
  tlsCipherSuites: [],
  requestheaderAllowedNames: [],
  requestheaderUsernameHeaders: ['X-Remote-User'],
  requestheaderGroupHeaders: ['X-Remote-Group'],
  requestheaderExtraHeadersPrefix: ['X-Remote-Extra-'],
  requestheaderUIDHeaders: [],
  enableAggregatorRouting: false,
  serviceAccountKeyFiles: [],
  serviceAccountIssuers: [],
  apiAudiences: [],
  serviceAccountMaxTokenExpirationSeconds: 0,
  serviceAccountLookup: true,
  oidcUsernameClaim: 'sub',
  oidcRequiredClaims: {},
  oidcSigningAlgs: ['RS256'],
  anonymousAuth: true,
  authorizationModes: ['AlwaysAllow'],
  auditLogMaxAgeDays: 0,
  auditLogMaxBackups: 0,
  auditLogMaxSizeMB: 0,
  auditLogFormat: 'json',
  auditLogMode: 'blocking',
  auditWebhookBatchMaxSize: 400,
  auditWebhookBatchMaxWaitSeconds: 30,
  auditWebhookMode: 'batch',
  auditWebhookInitialBackoffSeconds: 10,
  clusterSigningDurationSeconds: 365 * 24 * 3600,
};

const securityStrings = {
  'client-ca-file': 'clientCAFile', 'requestheader-client-ca-file': 'requestheaderClientCAFile', 'token-auth-file': 'tokenAuthFile',
  'service-account-signing-key-file': 'serviceAccountSigningKeyFile', 'oidc-issuer-url': 'oidcIssuerURL', 'oidc-client-id': 'oidcClientID',
  'oidc-username-claim': 'oidcUsernameClaim', 'oidc-username-prefix': 'oidcUsernamePrefix', 'oidc-groups-claim': 'oidcGroupsClaim',
  'oidc-groups-prefix': 'oidcGroupsPrefix', 'oidc-ca-file': 'oidcCAFile', 'authentication-config': 'authenticationConfigFile',
  'audit-policy-file': 'auditPolicyFile', 'audit-log-path': 'auditLogPath', 'audit-webhook-config-file': 'auditWebhookConfigFile',
  'cluster-signing-cert-file': 'clusterSigningCertFile', 'cluster-signing-key-file': 'clusterSigningKeyFile',
  'admission-control-config-file': 'admissionControlConfigFile',
  'proxy-client-cert-file': 'proxyClientCertFile', 'proxy-client-key-file': 'proxyClientKeyFile',
} as const satisfies Record<string, keyof SecurityConfig>;

const securityLists = {
  'tls-cipher-suites': 'tlsCipherSuites', 'requestheader-allowed-names': 'requestheaderAllowedNames',
  'requestheader-username-headers': 'requestheaderUsernameHeaders', 'requestheader-group-headers': 'requestheaderGroupHeaders',
  'requestheader-extra-headers-prefix': 'requestheaderExtraHeadersPrefix', 'requestheader-uid-headers': 'requestheaderUIDHeaders', 'service-account-key-file': 'serviceAccountKeyFiles',
  'service-account-issuer': 'serviceAccountIssuers', 'api-audiences': 'apiAudiences', 'oidc-signing-algs': 'oidcSigningAlgs',
  'authorization-mode': 'authorizationModes',
} as const satisfies Record<string, keyof SecurityConfig>;

const securityNumbers = {
  'audit-log-maxage': 'auditLogMaxAgeDays', 'audit-log-maxbackup': 'auditLogMaxBackups', 'audit-log-maxsize': 'auditLogMaxSizeMB',
  'audit-webhook-batch-max-size': 'auditWebhookBatchMaxSize',
} as const satisfies Record<string, keyof SecurityConfig>;

const securityDurations = {
  'service-account-max-token-expiration': 'serviceAccountMaxTokenExpirationSeconds', 'audit-webhook-batch-max-wait': 'auditWebhookBatchMaxWaitSeconds',
  'cluster-signing-duration': 'clusterSigningDurationSeconds', 'audit-webhook-initial-backoff': 'auditWebhookInitialBackoffSeconds',
} as const satisfies Record<string, keyof SecurityConfig>;

const securityChoices: Record<string, { key: keyof SecurityConfig; values: string[] }> = {
  'tls-min-version': { key: 'tlsMinVersion', values: ['VersionTLS12', 'VersionTLS13'] },
  'audit-log-format': { key: 'auditLogFormat', values: ['json', 'legacy'] },
  'audit-log-mode': { key: 'auditLogMode', values: ['blocking', 'blocking-strict', 'batch'] },
  'audit-webhook-mode': { key: 'auditWebhookMode', values: ['blocking', 'blocking-strict', 'batch'] },
};

const securityFlagNames = [...Object.keys(securityStrings), ...Object.keys(securityLists), ...Object.keys(securityNumbers),
  ...Object.keys(securityDurations), ...Object.keys(securityChoices), 'anonymous-auth', 'service-account-lookup', 'oidc-required-claim', 'enable-aggregator-routing'];

function loadSecurity(get: (name: string) => string | undefined, all: (name: string) => string[]): SecurityConfig {
  const sec: SecurityConfig = structuredClone(securityDefaults);
  const set = sec as unknown as Record<string, unknown>;
  for (const [flag, key] of Object.entries(securityStrings)) {
    const v = get(flag);
    if (v !== undefined) set[key] = v;
  }
  for (const [flag, key] of Object.entries(securityLists)) {
    const vs = all(flag).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
    if (vs.length) set[key] = vs;
  }
  for (const [flag, key] of Object.entries(securityNumbers)) {
    const v = get(flag);
    if (v !== undefined) set[key] = intFlag(flag, v);
  }
  for (const [flag, key] of Object.entries(securityDurations)) {
    const v = get(flag);
    if (v !== undefined) set[key] = durationSeconds(flag, v);
  }
  for (const [flag, { key, values }] of Object.entries(securityChoices)) {
    const v = get(flag);
    if (v === undefined) continue;
    if (!values.includes(v)) throw new Error(`--${flag} must be one of ${values.join(', ')}, got ${v}`);
    set[key] = v;
  }
  sec.anonymousAuth = boolFlag('anonymous-auth', get('anonymous-auth'), sec.anonymousAuth);
  sec.serviceAccountLookup = boolFlag('service-account-lookup', get('service-account-lookup'), sec.serviceAccountLookup);
  sec.enableAggregatorRouting = boolFlag('enable-aggregator-routing', get('enable-aggregator-routing'), sec.enableAggregatorRouting);
  if (!sec.proxyClientCertFile !== !sec.proxyClientKeyFile) throw new Error('--proxy-client-cert-file and --proxy-client-key-file go together');
  for (const claim of all('oidc-required-claim').flatMap((v) => v.split(','))) {
    const eq = claim.indexOf('=');
    if (eq <= 0) throw new Error(`--oidc-required-claim must look like claim=value, got ${claim}`);
    sec.oidcRequiredClaims[claim.slice(0, eq)] = claim.slice(eq + 1);
  }
  if (!sec.apiAudiences.length) sec.apiAudiences = [...sec.serviceAccountIssuers];
  for (const mode of sec.authorizationModes) {
    if (!['AlwaysAllow', 'AlwaysDeny', 'RBAC', 'Node'].includes(mode)) throw new Error(`--authorization-mode: unknown mode ${mode} (AlwaysAllow, AlwaysDeny, RBAC)`);
  }
  return sec;
}

function boolFlag(name: string, v: string | undefined, fallback: boolean): boolean {
  if (v === undefined) return fallback;
  if (v === '' || v === 'true') return true;
  if (v === 'false') return false;
  throw new Error(`--${name} must be true or false, got ${v}`);
}

const defaults: Omit<ServerConfig, 'security'> = {
  etcdServers: ['http://127.0.0.1:2379'],
  bindAddress: '127.0.0.1',
  securePort: 6443,
  serviceClusterIPRange: '10.96.0.0/12',
  serviceNodePortRange: [30000, 32767],
  etcdCompactionIntervalSeconds: 300,
  etcdRequestTimeoutSeconds: 5,
  requestTimeoutSeconds: 60,
  maxRequestsInFlight: 400,
  enablePriorityAndFairness: true,
  maxMutatingRequestsInFlight: 200,
  // Far above GC pauses and the longest legitimate synchronous work (encoding a list of thousands: ~0.5 s).
  eventLoopBlockThresholdSeconds: 5,
  redisKeyPrefix: 'kube-apiserver-ts:',
  shutdownDelaySeconds: 0,
  instanceName: 'apiserver',
  watchCacheHistory: 10000,
  watchBookmarkIntervalSeconds: 60,
  watchMaxQueuedBytes: 32 * 1024 * 1024,
  loggingFormat: 'text',
  verbosity: 0,
};

/** Flags win over environment (KUBE_APISERVER_<FLAG_NAME>), which wins over defaults. */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const flags = new Map<string, string>();
  // Repeatable flags (--service-account-key-file...) keep every value.
  const repeated = new Map<string, string[]>();
  const bools = new Set(['anonymous-auth', 'service-account-lookup', 'enable-priority-and-fairness', 'enable-aggregator-routing']);
  for (let i = 0; i < argv.length; i++) {
    // klog's -v takes one dash as well as two.
    const a = /^-v(=|$)/.test(argv[i]) ? `-${argv[i]}` : argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    const value = eq > 0 ? a.slice(eq + 1) : bools.has(name) ? 'true' : argv[++i] ?? '';
    flags.set(name, value);
    repeated.set(name, [...repeated.get(name) ?? [], value]);
  }
  const envName = (name: string) => `KUBE_APISERVER_${name.toUpperCase().replace(/-/g, '_')}`;
  const get = (name: string): string | undefined => flags.get(name) ?? env[envName(name)];
  const all = (name: string): string[] => repeated.get(name) ?? (env[envName(name)] !== undefined ? [env[envName(name)]!] : []);
  const known = new Set(['etcd-servers', 'bind-address', 'secure-port', 'tls-cert-file', 'tls-private-key-file', 'service-cluster-ip-range',
    'service-node-port-range', 'etcd-compaction-interval', 'etcd-request-timeout', 'request-timeout', 'instance-name', 'redis-url', 'redis-key-prefix', 'shutdown-delay-duration',
    'max-requests-inflight', 'max-mutating-requests-inflight', 'enable-priority-and-fairness', 'event-loop-block-threshold',
    'etcd-cafile', 'etcd-certfile', 'etcd-keyfile', 'redis-password-file', 'redis-ca-file', 'redis-cert-file', 'redis-key-file', 'redis-stream-key-file',
    'watch-cache-history', 'watch-bookmark-interval', 'watch-max-queued-bytes', 'front-proxy-port',
    'enable-admission-plugins', 'disable-admission-plugins', 'tracing-config-file', 'logging-format', 'v', ...securityFlagNames]);
  for (const k of flags.keys()) if (!known.has(k)) throw new Error(`unknown flag: --${k}`);

  const cfg: ServerConfig = { ...defaults, security: loadSecurity(get, all) };
  const pluginList = (flag: string) => all(flag).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  cfg.admissionPlugins = enabledAdmissionPlugins(pluginList('enable-admission-plugins'), pluginList('disable-admission-plugins'));
  const etcd = get('etcd-servers');
  if (etcd) cfg.etcdServers = etcd.split(',').map((s) => s.trim()).filter(Boolean);
  cfg.bindAddress = get('bind-address') ?? cfg.bindAddress;
  const port = get('secure-port');
  if (port !== undefined) cfg.securePort = intFlag('secure-port', port);
  cfg.tlsCertFile = get('tls-cert-file');
  cfg.tlsPrivateKeyFile = get('tls-private-key-file');
  const frontProxyPort = get('front-proxy-port');
  if (frontProxyPort !== undefined) {
    cfg.frontProxyPort = intFlag('front-proxy-port', frontProxyPort);
    if (!cfg.tlsCertFile || !cfg.tlsPrivateKeyFile || !cfg.security.requestheaderClientCAFile) {
      throw new Error('--front-proxy-port needs --tls-cert-file, --tls-private-key-file and --requestheader-client-ca-file');
    }
  }
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
  loadStoreCredentials(cfg, get);
  const shutdownDelay = get('shutdown-delay-duration');
  if (shutdownDelay !== undefined) cfg.shutdownDelaySeconds = durationSeconds('shutdown-delay-duration', shutdownDelay);
  const requestTimeout = get('request-timeout');
  if (requestTimeout !== undefined) cfg.requestTimeoutSeconds = durationSeconds('request-timeout', requestTimeout);
  const maxReads = get('max-requests-inflight');
  if (maxReads !== undefined) cfg.maxRequestsInFlight = intFlag('max-requests-inflight', maxReads);
  const maxWrites = get('max-mutating-requests-inflight');
  if (maxWrites !== undefined) cfg.maxMutatingRequestsInFlight = intFlag('max-mutating-requests-inflight', maxWrites);
  cfg.enablePriorityAndFairness = boolFlag('enable-priority-and-fairness', get('enable-priority-and-fairness'), cfg.enablePriorityAndFairness);
  const blockThreshold = get('event-loop-block-threshold');
  if (blockThreshold !== undefined) cfg.eventLoopBlockThresholdSeconds = durationSeconds('event-loop-block-threshold', blockThreshold);
  cfg.instanceName = get('instance-name') ?? `apiserver-${cfg.securePort}`;
  const history = get('watch-cache-history');
  if (history !== undefined) cfg.watchCacheHistory = intFlag('watch-cache-history', history);
  const bookmarks = get('watch-bookmark-interval');
  if (bookmarks !== undefined) cfg.watchBookmarkIntervalSeconds = durationSeconds('watch-bookmark-interval', bookmarks);
  const queued = get('watch-max-queued-bytes');
  if (queued !== undefined) cfg.watchMaxQueuedBytes = intFlag('watch-max-queued-bytes', queued);
  cfg.tracingConfigFile = get('tracing-config-file');
  const format = get('logging-format');
  if (format !== undefined) cfg.loggingFormat = parseLoggingFormat(format);
  const v = get('v');
  if (v !== undefined) cfg.verbosity = intFlag('v', v);
  return cfg;
}

/** The files etcd and Redis clients authenticate with; each pairing that cannot work is refused at start. */
function loadStoreCredentials(cfg: ServerConfig, get: (name: string) => string | undefined): void {
  cfg.etcdCAFile = get('etcd-cafile');
  cfg.etcdCertFile = get('etcd-certfile');
  cfg.etcdKeyFile = get('etcd-keyfile');
  if (!cfg.etcdCertFile !== !cfg.etcdKeyFile) throw new Error('--etcd-certfile and --etcd-keyfile go together');
  if ((cfg.etcdCAFile || cfg.etcdCertFile) && cfg.etcdServers.some((u) => !u.startsWith('https://'))) {
    throw new Error(`--etcd-cafile/--etcd-certfile need https:// --etcd-servers, got ${cfg.etcdServers.join(',')}`);
  }
  cfg.redisPasswordFile = get('redis-password-file');
  cfg.redisCAFile = get('redis-ca-file');
  cfg.redisCertFile = get('redis-cert-file');
  cfg.redisKeyFile = get('redis-key-file');
  cfg.redisStreamKeyFile = get('redis-stream-key-file');
  if (!cfg.redisCertFile !== !cfg.redisKeyFile) throw new Error('--redis-cert-file and --redis-key-file go together');
  if ((cfg.redisCAFile || cfg.redisCertFile) && !cfg.redisUrl?.startsWith('rediss://')) {
    throw new Error(`--redis-ca-file/--redis-cert-file need a rediss:// --redis-url, got ${cfg.redisUrl ?? 'none'}`);
  }
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
