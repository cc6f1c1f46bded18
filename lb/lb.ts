// The load balancer: one node:http server in front of the API server instances. It answers its
// own paths (/lb/healthz, /lb/stats, /lb/metrics) and the requests node's parser or kube refuse; everything else
// is forwarded (plain requests and watches by the Forwarder, upgrades by UpgradeTunnels).
import { chmodSync, lstatSync, readFileSync, rmSync, unwatchFile, watchFile } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import type tls from 'node:tls';
import { BackendPool } from './balancer/pool.js';
import type { LbConfig } from './config.js';
import { HealthChecker } from './health/checker.js';
import { answerClientError, servedMethods } from './http/edges.js';
import { ConnectionCap, serverLimits } from './http/limits.js';
import { rawStatusResponse, sendStatus, statuses } from './http/status.js';
import { Forwarder } from './proxy/forward.js';
import { UpgradeTunnels } from './proxy/upgrade.js';
import { statsRefusal } from './stats/access.js';
import { collectStats } from './stats/endpoint.js';
import { LbMetrics } from './stats/metrics.js';
import { WatchRegistry } from './watch/registry.js';
import { ProxySigner } from '../pki/front-proxy-proof.js';
import { refuseUnreadableCertificate } from './identity/client-certificate.js';
import { nodeMinVersion, opensslCiphers } from '../pki/tls-settings.js';
import { logger } from '../server/logging/logger.js';

// kube-apiserver's --min-request-timeout: a watch with no timeoutSeconds lives 30 to 60 minutes.
const minRequestTimeoutSeconds = 1800;

export class LoadBalancer {
  readonly pool: BackendPool;
  readonly watches: WatchRegistry;
  private readonly health: HealthChecker;
  private readonly forwarder: Forwarder;
  private readonly tunnels: UpgradeTunnels;
  private readonly server: http.Server;
  /** --stats-listen: /lb/stats and /lb/healthz for local readers. */
  private readonly statsServer?: http.Server;
  private readonly connections: ConnectionCap;
  readonly metrics: LbMetrics;
  private draining = false;
  private readonly startedAt = Date.now();
  /** Plain requests being answered, so draining knows when they are done. */
  private active = 0;

  constructor(private readonly config: LbConfig) {
    const up = config.upstream;
    const read = (f?: string) => (f ? readFileSync(f, 'utf8') : undefined);
    const cert = read(up.proxyClientCertFile);
    const key = read(up.proxyClientKeyFile);
    this.pool = new BackendPool(config.backends, { ca: read(up.caFile), cert, key, servername: up.serverName, signer: cert && key ? new ProxySigner(cert, key) : undefined });
    this.watches = new WatchRegistry(this.pool, { resumeTimeoutMs: config.watchResumeTimeoutMs, minRequestTimeoutSeconds });
    this.health = new HealthChecker(this.pool, { intervalMs: config.healthIntervalMs, timeoutMs: config.healthTimeoutMs, healthyThreshold: config.healthyThreshold });
    this.metrics = new LbMetrics(this.pool, this.watches);
    this.forwarder = new Forwarder(this.pool, this.watches, { retries: config.retries, bodyIdleTimeoutMs: config.bodyIdleTimeoutMs }, this.metrics);
    this.tunnels = new UpgradeTunnels(this.pool, config.retries);
    if (config.watchRebalance) this.pool.on('join', (b) => {
      const moved = this.watches.rebalance(b);
      if (moved) logger.error(`lb: moved ${moved} watches to ${b.name}`);
    });
    const { handshakeTimeout, ...limits } = serverLimits(config);
    const serverOptions: http.ServerOptions = { maxHeaderSize: config.maxHeaderSize, ...limits, noDelay: true };
    const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => this.onRequest(req, res);
    const t = config.tls;
    this.server = t
      ? https.createServer({
        ...serverOptions, handshakeTimeout, cert: read(t.certFile), key: read(t.keyFile), minVersion: nodeMinVersion(t.minVersion), ciphers: opensslCiphers(t.cipherSuites),
        // A client certificate is asked for, never required: tokens authenticate too. One that does not verify (foreign CA,
        // expired, revoked) leaves the connection unauthenticated, which the instances answer 401 as kube does.
        ...(t.clientCAFile ? { requestCert: true, rejectUnauthorized: false, ca: read(t.clientCAFile), crl: read(t.clientCRLFile) } : {}),
      }, onRequest)
      : http.createServer(serverOptions, onRequest);
    if (t?.clientCAFile && t.clientCRLFile) this.reloadOnChange(t.clientCRLFile, () => {
      // A revocation (npm run pki -- revoke) takes effect for new connections without a restart.
      (this.server as https.Server).setSecureContext({ cert: read(t.certFile), key: read(t.keyFile), minVersion: nodeMinVersion(t.minVersion),
        ciphers: opensslCiphers(t.cipherSuites), ca: read(t.clientCAFile), crl: read(t.clientCRLFile) });
      logger.error(`lb: reloaded ${t.clientCRLFile}`);
    });
    if (t?.clientCAFile) this.server.on('secureConnection', (socket: tls.TLSSocket) => refuseUnreadableCertificate(socket));
    if (t) {
      this.server.on('secureConnection', () => this.metrics.handshake(true));
      this.server.on('tlsClientError', () => this.metrics.handshake(false));
    }
    this.connections = new ConnectionCap(this.server, config.maxConnections);
    if (config.statsListen) this.statsServer = http.createServer(serverOptions, (req, res) => this.onStatsRequest(req, res));
    this.server.on('clientError', (err, socket) => answerClientError(err, socket as net.Socket));
    // CONNECT (host:port) matches no path of kube's mux, which answers it with a plain-text 404;
    // node hands it over separately, so it is answered here and never reaches an instance.
    this.server.on('connect', (_req, socket: net.Socket) => socket.end(
      'HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nContent-Length: 19\r\nConnection: close\r\n\r\n404 page not found\n'));
    this.server.on('upgrade', (req, socket: net.Socket, head) => {
      if (this.draining) socket.end(rawStatusResponse(statuses.shuttingDown()));
      else this.tunnels.handle(req, socket, head);
    });
  }

  private readonly watchedFiles: string[] = [];

  private reloadOnChange(file: string, reload: () => void): void {
    this.watchedFiles.push(file);
    watchFile(file, { interval: 1000 }, (now, before) => {
      if (now.mtimeMs === before.mtimeMs) return;
      try {
        reload();
      } catch (e) {
        logger.error(`lb: reloading ${file} failed, keeping the old one: ${(e as Error).message}`);
      }
    });
  }

  /** Listens and starts health checks; resolves with the port. */
  async start(): Promise<number> {
    this.health.start();
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.config.listenPort, this.config.listenHost, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    await this.startStatsListener();
    return (this.server.address() as net.AddressInfo).port;
  }

  /** The stats listener is for operators: when it cannot listen the LB still serves, and says why. */
  private async startStatsListener(): Promise<void> {
    const at = this.config.statsListen;
    if (!this.statsServer || !at) return;
    const server = this.statsServer;
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        const listening = () => {
          server.off('error', reject);
          resolve();
        };
        if ('path' in at) {
          // A socket left by an LB that died; anything else at that path is not ours to remove.
          if (lstatSync(at.path, { throwIfNoEntry: false })?.isSocket()) rmSync(at.path);
          server.listen(at.path, listening);
        } else server.listen(at.port, at.host, listening);
      });
      if ('path' in at) chmodSync(at.path, 0o600);
      logger.info(`lb: stats on ${'path' in at ? at.path : `http://${at.host}:${(server.address() as net.AddressInfo).port}`}`);
    } catch (e) {
      logger.error(`lb: --stats-listen: ${(e as Error).message}; /lb/stats is served to system:masters client certificates only`);
    }
  }

  private onStatsRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '/').split('?', 1)[0];
    if (path === '/lb/healthz') return this.healthz(res);
    if (path === '/lb/stats') return this.stats(res);
    if (path === '/lb/metrics') return this.serveMetrics(res);
    sendStatus(res, statuses.notFound());
  }

  private onRequest(req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = req.url ?? '/';
    const path = url.split('?', 1)[0];
    if (path === '/lb/healthz') return this.healthz(res);
    if (path === '/lb/stats' || path === '/lb/metrics') {
      const refused = statsRefusal(req, path);
      if (refused) return sendStatus(res, refused);
      return path === '/lb/stats' ? this.stats(res) : this.serveMetrics(res);
    }
    if (this.draining) {
      res.shouldKeepAlive = false;
      // Health endpoints fail first, so whatever balances across LBs stops sending here.
      if (path === '/healthz' || path === '/livez' || path === '/readyz') return sendStatus(res, statuses.shuttingDown());
    }
    if (!servedMethods.has(req.method ?? '')) return sendStatus(res, statuses.methodNotAllowed());
    this.active++;
    res.once('close', () => this.active--);
    this.forwarder.handle(req, res);
  }

  private healthz(res: http.ServerResponse): void {
    const ready = this.pool.healthy().length;
    const ok = !this.draining && ready > 0;
    const body = ok ? 'ok' : this.draining ? 'draining' : 'no API server instance is ready';
    res.writeHead(ok ? 200 : 503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache, private' });
    res.end(body);
  }

  private stats(res: http.ServerResponse): void {
    const body = JSON.stringify({ ...collectStats(this.pool, this.watches, this.draining, this.startedAt), connections: this.connections.stats() }, null, 2);
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-cache, private' });
    res.end(body);
  }

  private serveMetrics(res: http.ServerResponse): void {
    this.metrics.expose().then((body) => {
      res.writeHead(200, { 'content-type': this.metrics.registry.contentType, 'cache-control': 'no-cache, private' });
      res.end(body);
    }, (e: Error) => sendStatus(res, statuses.internal(e.message)));
  }

  /**
   * SIGTERM: fail /lb/healthz at once, keep accepting for --shutdown-delay, then stop accepting,
   * end watches cleanly (clients re-watch elsewhere), let other requests finish within
   * --shutdown-timeout, then close whatever is left.
   */
  async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    logger.error('lb: draining');
    if (this.config.shutdownDelayMs > 0) await new Promise((r) => setTimeout(r, this.config.shutdownDelayMs));
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    this.watches.endAll();
    const deadline = Date.now() + this.config.shutdownTimeoutMs;
    while ((this.active > 0 || this.tunnels.open.size > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 25));
      this.server.closeIdleConnections();
    }
    this.tunnels.destroyAll();
    this.server.closeAllConnections();
    await closed;
    for (const f of this.watchedFiles) unwatchFile(f);
    if (this.statsServer?.listening) {
      const stopped = new Promise<void>((resolve) => this.statsServer!.close(() => resolve()));
      this.statsServer.closeAllConnections();
      await stopped;
    }
    this.health.stop();
    this.pool.close();
  }
}
