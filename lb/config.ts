// One typed configuration for the load balancer, built from flags (and LB_<FLAG_NAME> environment).
import { parseLoggingFormat } from '../server/logging/logger.js';

export interface LbConfig {
  /** --listen host:port the LB accepts clients on. */
  listenHost: string;
  listenPort: number;
  /** --backends: comma-separated API server base URLs (http://host:port). */
  backends: URL[];
  /** --health-interval: how often each backend's /readyz is polled, in ms. */
  healthIntervalMs: number;
  /** --health-timeout: a /readyz answer slower than this counts as a failure, in ms. */
  healthTimeoutMs: number;
  /** --healthy-threshold: consecutive passing checks that bring an ejected backend back. */
  healthyThreshold: number;
  /** --retries: extra attempts on other backends for a request that is safe to retry. */
  retries: number;
  /** --shutdown-delay: after SIGTERM, keep accepting (with /healthz failing) this long, in ms. */
  shutdownDelayMs: number;
  /** --shutdown-timeout: the bound on letting in-flight requests finish after the listener closes, in ms. */
  shutdownTimeoutMs: number;
  /** --max-header-size: the largest request head accepted, in bytes. */
  maxHeaderSize: number;
  /** --watch-rebalance: move a share of watches to a backend that (re)joins. */
  watchRebalance: boolean;
  /** --watch-resume-timeout: how long a broken watch may look for a backend to resume on, in ms. */
  watchResumeTimeoutMs: number;
  /** --max-connections: client connections held at once; more are closed as they arrive. */
  maxConnections: number;
  /** --header-timeout: a request head (and a TLS handshake) must arrive within this, in ms. */
  headerTimeoutMs: number;
  /** --idle-timeout: a keep-alive connection with no request is closed after this, in ms. */
  idleTimeoutMs: number;
  /** --body-idle-timeout: a request body that sends nothing this long is cut, in ms (responses, watches and tunnels never are). */
  bodyIdleTimeoutMs: number;
  /** --stats-listen: a second, plain-HTTP listener for /lb/stats and /lb/healthz, on loopback or a unix socket. */
  statsListen?: StatsListen;
  /** Where client TLS ends (--tls-cert-file...); unset: plain HTTP. */
  tls?: LbTLS;
  /** How the LB talks to https:// backends and proves it is their front proxy. */
  upstream: UpstreamTLS;
  /** --tracing-config-file: kube's TracingConfiguration; else the OTEL_* environment decides whether the LB traces. */
  tracingConfigFile?: string;
  /** --logging-format text|json and -v / --v: the LB's log lines, as the API servers'. */
  loggingFormat: 'text' | 'json';
  verbosity: number;
}

export interface LbTLS {
  /** --tls-cert-file / --tls-private-key-file: the serving certificate. */
  certFile: string;
  keyFile: string;
  /** --client-ca-file: client certificates it signed are verified here and forwarded as X-Remote-User/-Group. */
  clientCAFile?: string;
  /** --client-crl-file: certificates revoked by the client CA (npm run pki -- revoke). */
  clientCRLFile?: string;
  /** --tls-min-version (VersionTLS12 | VersionTLS13) and --tls-cipher-suites (IANA names), as kube-apiserver's. */
  minVersion: 'VersionTLS12' | 'VersionTLS13';
  cipherSuites: string[];
}

/** A loopback host and port, or a unix socket path (made owner-only). */
export type StatsListen = { host: string; port: number } | { path: string };

export interface UpstreamTLS {
  /** --backend-tls-server-name: the name every instance's certificate is checked for (and sent as SNI); default: each backend URL's host. */
  serverName?: string;
  /** --backend-ca-file: the CA the backends' serving certificates chain to. */
  caFile?: string;
  /** --proxy-client-cert-file / --proxy-client-key-file: the front-proxy client certificate (kube's flag names). */
  proxyClientCertFile?: string;
  proxyClientKeyFile?: string;
}

const defaults: Omit<LbConfig, 'backends' | 'upstream'> = {
  listenHost: '127.0.0.1',
  listenPort: 6443,
  healthIntervalMs: 250,
  healthTimeoutMs: 700,
  healthyThreshold: 1,
  retries: 2,
  shutdownDelayMs: 0,
  shutdownTimeoutMs: 30_000,
  maxHeaderSize: 32 * 1024,
  watchRebalance: true,
  watchResumeTimeoutMs: 10_000,
  maxConnections: 4096,
  // kube-apiserver's own server: ReadHeaderTimeout 32 s, IdleTimeout 90 s; its --request-timeout 60 s bounds reading a body.
  headerTimeoutMs: 32_000,
  idleTimeoutMs: 90_000,
  bodyIdleTimeoutMs: 60_000,
  loggingFormat: 'text',
  verbosity: 0,
};

const known = new Set(['listen', 'backends', 'health-interval', 'health-timeout', 'healthy-threshold', 'retries', 'shutdown-delay',
  'shutdown-timeout', 'max-header-size', 'watch-rebalance', 'watch-resume-timeout', 'tls-cert-file', 'tls-private-key-file', 'client-ca-file',
  'client-crl-file', 'tls-min-version', 'tls-cipher-suites', 'backend-ca-file', 'proxy-client-cert-file', 'proxy-client-key-file',
  'backend-tls-server-name', 'max-connections', 'header-timeout', 'idle-timeout', 'body-idle-timeout', 'stats-listen',
  'tracing-config-file', 'logging-format', 'v']);

/** Flags win over environment (LB_<FLAG_NAME>), which wins over defaults. */
export function loadLbConfig(argv: string[], env: NodeJS.ProcessEnv = process.env): LbConfig {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    // klog's -v takes one dash as well as two.
    const a = /^-v(=|$)/.test(argv[i]) ? `-${argv[i]}` : argv[i];
    if (!a.startsWith('--')) throw new Error(`unexpected argument ${a}`);
    const eq = a.indexOf('=');
    if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
    else if (a === '--watch-rebalance' || a === '--no-watch-rebalance') flags.set('watch-rebalance', a === '--watch-rebalance' ? 'true' : 'false');
    else flags.set(a.slice(2), argv[++i] ?? '');
  }
  for (const k of flags.keys()) if (!known.has(k)) throw new Error(`unknown flag: --${k}`);
  const get = (name: string): string | undefined => flags.get(name) ?? env[`LB_${name.toUpperCase().replace(/-/g, '_')}`];

  const cfg: LbConfig = { ...defaults, backends: [], upstream: {} };
  const listen = get('listen');
  if (listen !== undefined) {
    const { host, port } = hostPort('listen', listen);
    cfg.listenHost = host;
    cfg.listenPort = port;
  }
  const statsListen = get('stats-listen');
  if (statsListen) {
    if (statsListen.startsWith('/') || statsListen.startsWith('.')) cfg.statsListen = { path: statsListen };
    else {
      const at = hostPort('stats-listen', statsListen);
      // Anyone who reaches it reads the figures: loopback only (or a unix socket, whose mode decides).
      if (!isLoopback(at.host)) throw new Error(`--stats-listen must be a loopback address or a unix socket path, got ${statsListen}`);
      cfg.statsListen = at;
    }
  }
  const backends = get('backends');
  if (!backends) throw new Error('--backends is required: comma-separated API server URLs, e.g. http://127.0.0.1:6444,http://127.0.0.1:6445');
  for (const b of backends.split(',').map((s) => s.trim()).filter(Boolean)) {
    let url: URL;
    try {
      url = new URL(b);
    } catch {
      throw new Error(`--backends: not a URL: ${b}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error(`--backends: http:// or https:// URLs, got ${b}`);
    cfg.backends.push(url);
  }
  if (!cfg.backends.length) throw new Error('--backends names no backend');
  const ms = (name: string, into: (v: number) => void) => {
    const v = get(name);
    if (v !== undefined) into(durationMs(name, v));
  };
  ms('health-interval', (v) => (cfg.healthIntervalMs = v));
  ms('health-timeout', (v) => (cfg.healthTimeoutMs = v));
  ms('shutdown-delay', (v) => (cfg.shutdownDelayMs = v));
  ms('shutdown-timeout', (v) => (cfg.shutdownTimeoutMs = v));
  ms('watch-resume-timeout', (v) => (cfg.watchResumeTimeoutMs = v));
  ms('header-timeout', (v) => (cfg.headerTimeoutMs = v));
  ms('idle-timeout', (v) => (cfg.idleTimeoutMs = v));
  ms('body-idle-timeout', (v) => (cfg.bodyIdleTimeoutMs = v));
  const int = (name: string, into: (v: number) => void) => {
    const v = get(name);
    if (v !== undefined) into(intFlag(name, v));
  };
  int('healthy-threshold', (v) => (cfg.healthyThreshold = Math.max(1, v)));
  int('retries', (v) => (cfg.retries = v));
  int('max-header-size', (v) => (cfg.maxHeaderSize = v));
  int('max-connections', (v) => (cfg.maxConnections = v));
  if (cfg.maxConnections < 1) throw new Error('--max-connections must be at least 1');
  for (const [flag, v] of [['header-timeout', cfg.headerTimeoutMs], ['idle-timeout', cfg.idleTimeoutMs], ['body-idle-timeout', cfg.bodyIdleTimeoutMs]] as const) {
    if (v <= 0) throw new Error(`--${flag} must be above 0: a client could hold a connection forever`);
  }
  const rebalance = get('watch-rebalance');
  if (rebalance !== undefined) {
    if (!['true', 'false'].includes(rebalance)) throw new Error(`--watch-rebalance must be true or false, got ${rebalance}`);
    cfg.watchRebalance = rebalance === 'true';
  }
  const certFile = get('tls-cert-file');
  const keyFile = get('tls-private-key-file');
  if (!!certFile !== !!keyFile) throw new Error('--tls-cert-file and --tls-private-key-file go together');
  const minVersion = get('tls-min-version') ?? 'VersionTLS12';
  if (minVersion !== 'VersionTLS12' && minVersion !== 'VersionTLS13') throw new Error(`--tls-min-version must be VersionTLS12 or VersionTLS13, got ${minVersion}`);
  if (certFile && keyFile) {
    cfg.tls = {
      certFile, keyFile, clientCAFile: get('client-ca-file'), clientCRLFile: get('client-crl-file'), minVersion,
      cipherSuites: (get('tls-cipher-suites') ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    };
  } else if (get('client-ca-file')) throw new Error('--client-ca-file needs TLS (--tls-cert-file, --tls-private-key-file)');
  cfg.upstream = {
    caFile: get('backend-ca-file'), proxyClientCertFile: get('proxy-client-cert-file'), proxyClientKeyFile: get('proxy-client-key-file'),
    serverName: get('backend-tls-server-name') || undefined,
  };
  if (!!cfg.upstream.proxyClientCertFile !== !!cfg.upstream.proxyClientKeyFile) throw new Error('--proxy-client-cert-file and --proxy-client-key-file go together');
  cfg.tracingConfigFile = get('tracing-config-file');
  const format = get('logging-format');
  if (format !== undefined) cfg.loggingFormat = parseLoggingFormat(format);
  const v = get('v');
  if (v !== undefined) {
    if (!/^[0-9]+$/.test(v)) throw new Error(`--v must be a whole number, got ${v}`);
    cfg.verbosity = Number(v);
  }
  return cfg;
}

function hostPort(name: string, v: string): { host: string; port: number } {
  const m = v.match(/^(?:\[([^\]]+)\]|([^:]*)):(\d+)$/);
  if (!m) throw new Error(`--${name} must look like 127.0.0.1:6443, got ${v}`);
  return { host: m[1] ?? (m[2] || '0.0.0.0'), port: intFlag(name, m[3]) };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

function intFlag(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || v.trim() === '') throw new Error(`--${name} must be a whole number, got ${v}`);
  return n;
}

/** Go-style durations (250ms, 5s, 1m) or plain milliseconds. */
export function durationMs(name: string, v: string): number {
  const m = v.match(/^(\d+(?:\.\d+)?)(ms|s|m|h)?$/);
  if (!m) throw new Error(`--${name} must be a duration like 250ms or 5s, got ${v}`);
  const n = Number(m[1]);
  switch (m[2]) {
    case 's': return n * 1000;
    case 'm': return n * 60_000;
    case 'h': return n * 3_600_000;
    default: return n;
  }
}
