// One API server instance: uWS routes -> request info -> filters -> verb handler -> generic store -> etcd.
import { readFileSync } from 'node:fs';
import { ApiError, errors } from './api/errors.js';
import { EtcdAllocators } from './allocators/allocators.js';
import type { ServerConfig } from './config.js';
import { aggregatedDiscovery, apiGroup, apiGroupList, apiResourceList, apiVersions, etag, wantsAggregated } from './discovery/discovery.js';
import { serveResource } from './endpoints/resource.js';
import { serveHealth, type HealthEndpoints } from './health/checks.js';
import { Exchange } from './http/exchange.js';
import { requestInfo } from './http/request-info.js';
import { type TemplatedApp, uws } from './http/uws.js';
import { serveOpenAPI } from './openapi/serve.js';
import { TypeRegistry } from './registry/registry.js';
import { GenericStore } from './registry/store.js';
import { registerBuiltins } from './resources/index.js';
import { bootstrap } from './bootstrap.js';
import { EtcdStorage } from './storage/etcd3/etcd3.js';
import { WatchCache } from './storage/cacher/watch-cache.js';
import { Cacher } from './storage/cacher/cacher.js';
import { AdmissionChain } from './admission/chain.js';
import { NamespaceLifecycle } from './admission/namespace-lifecycle.js';
import { defaultWatchSettings } from './registry/watch-settings.js';
import { serveWatchWebSockets } from './endpoints/websocket.js';

export const serverVersion = {
  major: '1', minor: '35', gitVersion: 'v1.35.0', gitCommit: 'kube-apiserver-ts', gitTreeState: 'clean',
  buildDate: '2026-11-24T00:00:00Z', goVersion: 'go1.25.0', compiler: 'gc', platform: 'linux/amd64',
};

export class APIServer {
  readonly types = new TypeRegistry();
  readonly storage: EtcdStorage;
  readonly store: GenericStore;
  readonly allocators: EtcdAllocators;
  readonly cache: WatchCache;
  readonly cacher: Cacher;
  private app?: TemplatedApp;
  private listenSocket: unknown;
  private compactionTimer?: NodeJS.Timeout;
  private readonly health: HealthEndpoints;
  private etcdHealthy = { at: 0, ok: false, reason: '' };

  constructor(readonly config: ServerConfig) {
    this.storage = new EtcdStorage({ endpoints: config.etcdServers, requestTimeoutMs: config.etcdRequestTimeoutSeconds * 1000 });
    this.allocators = new EtcdAllocators(this.storage, config.serviceClusterIPRange, config.serviceNodePortRange);
    this.cache = new WatchCache(this.storage, { historySize: config.watchCacheHistory });
    this.cacher = new Cacher(this.storage, this.cache);
    const admission = new AdmissionChain([new NamespaceLifecycle(this.cacher, this.types)]);
    this.store = new GenericStore(this.cacher, this.types, this.allocators, admission, {
      ...defaultWatchSettings,
      bookmarkIntervalMs: config.watchBookmarkIntervalSeconds * 1000,
      maxQueuedBytes: config.watchMaxQueuedBytes,
    });
    registerBuiltins(this.types);
    const ping = { name: 'ping', check: async () => undefined };
    const log = { name: 'log', check: async () => undefined };
    const etcd = { name: 'etcd', check: () => this.checkEtcd() };
    const etcdReadiness = { name: 'etcd-readiness', check: () => this.checkEtcd() };
    const watchCache = { name: 'watch-cache-ready', check: async () => { if (!this.cache.ready) throw new Error('watch cache not synced'); } };
    this.health = { livez: [ping, log, etcd], readyz: [ping, log, etcd, etcdReadiness, watchCache] };
  }

  /** Listens, then creates what a fresh cluster has (default namespaces...). Resolves with the port. */
  async start(): Promise<number> {
    const app = this.config.tlsCertFile
      ? uws.SSLApp({ cert_file_name: this.config.tlsCertFile, key_file_name: this.config.tlsPrivateKeyFile })
      : uws.App();
    serveWatchWebSockets(app, this.types, this.store);
    app.any('/*', (res, req) => {
      const ex = new Exchange(res, req);
      void this.handle(ex);
    });
    this.app = app;
    const port = await new Promise<number>((resolve, reject) => {
      // Exclusive, as kube-apiserver without --permit-port-sharing: uWS's default SO_REUSEPORT let a second
      // server bind this port and take a share of its connections.
      type Listen = (host: string, port: number, options: number, cb: Parameters<TemplatedApp['listen']>[2]) => void;
      const exclusivePort = 1; // LIBUS_LISTEN_EXCLUSIVE_PORT: the native listen takes (host, port, options, cb); the typings lack it
      (app.listen as unknown as Listen).call(app, this.config.bindAddress, this.config.securePort, exclusivePort, (socket) => {
        if (!socket) reject(new Error(`cannot listen on ${this.config.bindAddress}:${this.config.securePort}`));
        else {
          this.listenSocket = socket;
          resolve(uws.us_socket_local_port(socket));
        }
      });
    });
    void this.cache.start();
    await this.bootstrapWithRetry();
    if (this.config.etcdCompactionIntervalSeconds > 0) {
      this.compactionTimer = setInterval(() => void this.compact(), this.config.etcdCompactionIntervalSeconds * 1000);
      this.compactionTimer.unref();
    }
    return port;
  }

  async stop(): Promise<void> {
    if (this.compactionTimer) clearInterval(this.compactionTimer);
    await this.cache.stop();
    if (this.listenSocket) uws.us_listen_socket_close(this.listenSocket as never);
    this.listenSocket = undefined;
    this.storage.close();
  }

  private async bootstrapWithRetry(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await bootstrap(this);
        return;
      } catch (e) {
        if (attempt % 10 === 0) console.error(`bootstrap: etcd not ready yet: ${(e as Error).message}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /** Compacts etcd history older than the previous interval, as kube-apiserver's compactor does. */
  private lastCompactCandidate = 0;
  private async compact(): Promise<void> {
    try {
      const rev = await this.storage.currentRevision();
      if (this.lastCompactCandidate > 0) await this.storage.compact(this.lastCompactCandidate).catch(() => undefined);
      this.lastCompactCandidate = rev;
    } catch {
      // etcd away: try next interval.
    }
  }

  private async checkEtcd(): Promise<void> {
    const now = Date.now();
    if (now - this.etcdHealthy.at > 1000) {
      try {
        await this.storage.currentRevision();
        this.etcdHealthy = { at: now, ok: true, reason: '' };
      } catch (e) {
        this.etcdHealthy = { at: now, ok: false, reason: (e as Error).message };
      }
    }
    if (!this.etcdHealthy.ok) throw new Error(this.etcdHealthy.reason);
  }

  private async handle(ex: Exchange): Promise<void> {
    try {
      await this.route(ex);
    } catch (e) {
      if (!(e instanceof ApiError)) console.error(`${ex.method} ${ex.path}: ${(e as Error)?.stack ?? e}`);
      if (!ex.hasStarted) ex.sendError(e);
      else ex.end();
    }
  }

  private async route(ex: Exchange): Promise<void> {
    const path = ex.path;
    if (await serveHealth(ex, this.health)) return;
    if (path === '/version' || path === '/version/') return ex.sendJSON(200, serverVersion);
    if (path.startsWith('/openapi/')) {
      if (await serveOpenAPI(ex, this.types)) return;
      throw errors.notFoundPath();
    }
    const info = requestInfo(ex.method, path, ex.query);
    if (info.isResourceRequest) return serveResource(ex, info, this.types, this.store);
    if (ex.method !== 'GET' && ex.method !== 'HEAD') throw errors.notFoundPath();
    return this.serveDiscovery(ex, path);
  }

  private serveDiscovery(ex: Exchange, path: string): void {
    const clean = path.replace(/\/+$/, '') || '/';
    const parts = clean.split('/').filter(Boolean);
    if (clean === '/') return ex.sendJSON(200, { paths: this.rootPaths() });
    if (clean === '/api' || clean === '/apis') {
      const aggregated = wantsAggregated(ex.headers.accept);
      if (aggregated) {
        const body = JSON.stringify(aggregatedDiscovery(this.types, clean === '/api', aggregated.includes('v2beta1') ? 'apidiscovery.k8s.io/v2beta1' : 'apidiscovery.k8s.io/v2'));
        const tag = etag(body);
        if (ex.headers['if-none-match'] === tag) return ex.send(304, '', aggregated, { ETag: tag });
        return ex.send(200, body, aggregated, { ETag: tag, Vary: 'Accept' });
      }
      return ex.sendJSON(200, clean === '/api' ? apiVersions() : apiGroupList(this.types), { Vary: 'Accept' });
    }
    let doc: unknown;
    if (parts[0] === 'api' && parts.length === 2) doc = apiResourceList(this.types, '', parts[1]);
    else if (parts[0] === 'apis' && parts.length === 2) doc = apiGroup(this.types, parts[1]);
    else if (parts[0] === 'apis' && parts.length === 3) doc = apiResourceList(this.types, parts[1], parts[2]);
    if (!doc) throw errors.notFoundPath();
    ex.sendJSON(200, doc);
  }

  private rootPaths(): string[] {
    const paths = ['/api', '/api/v1', '/apis', '/healthz', '/livez', '/readyz', '/openapi/v2', '/openapi/v3', '/version'];
    for (const g of this.types.allGroups()) {
      if (!g.name) continue;
      paths.push(`/apis/${g.name}`);
      for (const v of g.versions) paths.push(`/apis/${g.name}/${v}`);
    }
    return paths.sort();
  }
}

export function readOptionalFile(p: string | undefined): string | undefined {
  return p ? readFileSync(p, 'utf8') : undefined;
}
