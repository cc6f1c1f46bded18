// One API server instance behind the LB: its health state, what is outstanding on it, and its figures.
import type { KeyObject, X509Certificate } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { type ProxySession, type ProxySigner, sessionRefreshSeconds } from '../../pki/front-proxy-proof.js';
import net from 'node:net';
import { LatencyWindow, RateWindow } from '../stats/latency.js';

/** `unknown` until the first health check; only `healthy` backends take new requests. */
export type BackendState = 'unknown' | 'healthy' | 'ejected';

/** What an https:// backend is reached with: the CA its certificate chains to, and the LB's client certificate. */
export interface BackendTLS {
  ca?: string;
  cert?: string;
  key?: string;
  /** Signs the front-proxy identity of each request (made from cert and key). */
  signer?: ProxySigner;
  /** The name the instance's certificate must carry (and the SNI); default: the backend URL's host. */
  servername?: string;
}

export class Backend {
  state: BackendState = 'unknown';
  /** Requests sent and not yet answered in full (watches included). */
  inFlight = 0;
  /** Watch streams currently relayed from this backend. */
  openWatches = 0;
  /** Upgraded connections (WebSocket watches, exec) piped to this backend. */
  openTunnels = 0;
  requests = 0;
  errors = 0;
  /** Why it was last ejected, for the stats endpoint and the log. */
  lastError = '';
  consecutivePasses = 0;
  /** Ejected only because /readyz was slow: still usable when no backend is healthy. */
  onlySlow = false;
  readonly latency = new LatencyWindow();
  readonly rate = new RateWindow();
  /** Keep-alive connections to this backend, shared by every request to it. */
  readonly agent: http.Agent;

  /** The instance's serving key, from the certificate its TLS showed the health checker: what sessions are encrypted to. */
  private servingKey?: { fingerprint: string; key: KeyObject };
  private session?: ProxySession;
  private readonly signer?: ProxySigner;
  private readonly tls: Omit<BackendTLS, 'signer'>;

  /** `tls`: the CA and client certificate for an https:// backend. */
  constructor(readonly url: URL, { signer, ...tls }: BackendTLS = {}, readonly name = url.host) {
    this.signer = signer;
    const pooled = { keepAlive: true, maxSockets: Infinity, maxFreeSockets: 256, scheduling: 'lifo' as const };
    // Node derives the TLS name from the request's Host header (the client's) unless told one: always tell it.
    this.tls = { ...tls, servername: tls.servername ?? backendServerName(url) };
    this.agent = this.secure ? new https.Agent({ ...pooled, ...this.tls }) : new http.Agent(pooled);
    // Drop an idle socket well before uWS's 10 s idle timeout, so a reused socket is rarely one the server is closing.
    this.agent.on('free', (socket) => socket.setTimeout(4000));
  }

  get secure(): boolean {
    return this.url.protocol === 'https:';
  }

  /** The certificate the instance served (a new key starts a new session). */
  learnServingCertificate(cert: X509Certificate): void {
    if (this.servingKey?.fingerprint === cert.fingerprint256) return;
    this.servingKey = { fingerprint: cert.fingerprint256, key: cert.publicKey };
    this.session = undefined;
  }

  /**
   * A request to this backend: over the pooled agent, or (agent: false) a connection of its own with the same TLS settings.
   * Identity headers (X-Remote-User...) get this request's MAC; they are dropped while the instance's key is not known yet.
   */
  request(options: http.RequestOptions, onResponse?: (res: http.IncomingMessage) => void): http.ClientRequest {
    const headers = options.headers as http.OutgoingHttpHeaders | undefined;
    if (headers?.['x-remote-user'] !== undefined) options = { ...options, headers: this.signed(options.method ?? 'GET', options.path ?? '/', headers) };
    const opts = { host: this.host, port: this.port, ...options };
    if (!this.secure) return http.request(opts, onResponse);
    return https.request(options.agent === false ? { ...opts, ...this.tls } : opts, onResponse);
  }

  private signed(method: string, path: string, headers: http.OutgoingHttpHeaders): http.OutgoingHttpHeaders {
    const out = { ...headers };
    if (!this.signer || !this.servingKey) {
      for (const name of Object.keys(out)) if (name.startsWith('x-remote-')) delete out[name];
      return out;
    }
    const now = Math.floor(Date.now() / 1000);
    if (!this.session || now - this.session.madeAt >= sessionRefreshSeconds) this.session = this.signer.session(this.servingKey.key, now);
    this.signer.sign(this.session, method, path, out);
    return out;
  }

  get host(): string {
    return this.url.hostname.replace(/^\[(.*)\]$/, '$1');
  }

  get port(): number {
    return Number(this.url.port || (this.secure ? 443 : 80));
  }

  /** Closes the pooled idle connections: after an ejection they lead to an instance that is going away. */
  dropIdleConnections(): void {
    for (const sockets of Object.values(this.agent.freeSockets)) for (const s of sockets ?? []) s.destroy();
  }

  stats(): Record<string, unknown> {
    return {
      name: this.name,
      url: this.url.origin,
      state: this.state,
      inFlight: this.inFlight,
      openWatches: this.openWatches,
      openTunnels: this.openTunnels,
      requests: this.requests,
      requestsPerSecond: this.rate.perSecond(),
      errors: this.errors,
      lastError: this.lastError || undefined,
      latencyMs: this.latency.percentiles(),
    };
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * The URL's host name as the TLS name; for an IP address '' (no SNI: RFC 6066 has none for addresses),
 * and node then checks the certificate against the address it connects to.
 */
export function backendServerName(url: URL): string {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  return net.isIP(host) ? '' : host;
}
