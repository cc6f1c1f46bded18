// One API server instance, wired: uWS adapter -> filters -> handler (health, version, OpenAPI,
// discovery, resources) -> registry (generic store) -> storage (watch cache -> etcd).
import { EtcdAllocators } from './allocators/allocators.js';
import { errors } from './api/errors.js';
import { runPostStartHooks } from './bootstrap.js';
import type { ServerConfig } from './config.js';
import { serveDiscovery } from './discovery/serve.js';
import { serveResource } from './endpoints/resource.js';
import { serveWatchWebSockets } from './endpoints/websocket.js';
import { buildHandlerChain } from './filters/chain.js';
import { defaultHandlerChain } from './filters/default-chain.js';
import { MaxInFlight } from './filters/max-in-flight.js';
import { PriorityAndFairness } from './filters/priority-and-fairness.js';
import { FlowControl } from './flowcontrol/controller.js';
import { FlowControlMetrics } from './flowcontrol/metrics.js';
import { ObjectStatsTracker } from './flowcontrol/object-stats.js';
import { syncFlowSchemaStatus } from './flowcontrol/flowschema-status.js';
import { flowschemas } from './resources/flowcontrol/flowschemas.js';
import { requestLabels } from './metrics/request-labels.js';
import { EventLoopWatchdog } from './health/event-loop.js';
import { observeRunningRequests } from './http/running-request.js';
import { apiserverHealthChecks } from './health/apiserver-checks.js';
import { type HealthEndpoints, serveHealth } from './health/checks.js';
import { InFlight, serveHTTP } from './http/adapter.js';
import type { Exchange } from './http/exchange.js';
import { type TemplatedApp, uws } from './http/uws.js';
import { serveOpenAPI } from './openapi/serve.js';
import { TypeRegistry } from './registry/registry.js';
import { GenericStore } from './registry/store.js';
import { defaultWatchSettings } from './registry/watch-settings.js';
import { registerBuiltins } from './resources/index.js';
import type { PostStartContext } from './resources/post-start.js';
import { postStartHooks } from './resources/post-start-hooks.js';
import { stopCustomResourceDefinitionWatcher } from './resources/apiextensions/serve-custom-resources.js';
import { stopClusterRoleAggregation } from './resources/rbac/aggregation-controller.js';
import { stopCertificateControllers } from './resources/certificates/csr-controllers.js';
import { stopNamespaceDefaults } from './resources/core/namespace-defaults-controller.js';
import { stopPriorityAndFairnessConfiguration } from './resources/flowcontrol/ensure-configuration.js';
import { stopAutoRegistration } from './resources/apiregistration/autoregistration.js';
import { stopClusterAuthenticationTrust } from './resources/core/extension-apiserver-authentication.js';
import { Compactor } from './storage/compactor.js';
import { AdmissionChain } from './admission/chain.js';
import { buildAdmissionPlugins, enabledAdmissionPlugins } from './admission/plugins.js';
import { ValidatingAdmissionPolicyPlugin } from './admission/validating-admission-policy.js';
import { WebhookDispatch } from './admission/webhook-dispatch.js';
import type { Attributes } from './authorization/authorizer.js';
import { Cacher } from './storage/cacher/cacher.js';
import { WatchCache } from './storage/cacher/watch-cache.js';
import { EtcdStorage } from './storage/etcd3/etcd3.js';
import { EtcdWatchFeed } from './storage/cacher/etcd-feed.js';
import { registryRoot } from './storage/cacher/watch-cache.js';
import { Fanout } from './fanout/fanout.js';
import { APIServerMetrics } from './metrics/apiserver-metrics.js';
import { serveMetrics } from './metrics/serve.js';
import { StorageResources } from './metrics/storage-resources.js';
import type { RequestInfo } from './http/request-info.js';
import { LeaseControllerManagerPresence } from './registry/controller-manager.js';
import { buildSecurity, type Security } from './security.js';
import { opensslCiphers } from '../pki/tls-settings.js';
import { serveIssuerDiscovery } from './endpoints/issuer-discovery.js';
import { tracedAdmission, tracedFilter, tracedRequests } from './tracing/request-spans.js';
import { activeTracer } from './tracing/tracing.js';
import { httpLog } from './logging/httplog.js';
import { logger } from './logging/logger.js';
import { Aggregator } from './aggregator/aggregator.js';

export { serverVersion } from './discovery/version.js';

/** Objects per storage resource, every served one reported (0 when empty), as kube's object counts. */
function countObjects(resources: StorageResources, keys: Iterable<string>): Array<{ group: string; resource: string; count: number }> {
  const counts = new Map<string, { group: string; resource: string; count: number }>();
  for (const [prefix, gr] of resources.prefixes()) counts.set(prefix, { ...gr, count: 0 });
  const byResource = new Map<string, { count: number }>();
  for (const c of counts.values()) byResource.set(`${c.group}/${c.resource}`, c);
  for (const key of keys) {
    const gr = resources.resolve(key);
    const c = byResource.get(`${gr.group}/${gr.resource}`);
    if (c) c.count++;
  }
  return [...counts.values()];
}

export class APIServer {
  readonly types = new TypeRegistry();
  readonly storage: EtcdStorage;
  readonly store: GenericStore;
  readonly allocators: EtcdAllocators;
  readonly cache: WatchCache;
  readonly cacher: Cacher;
  readonly fanout?: Fanout;
  readonly security: Security;
  /** The admission webhooks' configurations, client and matching (both webhook plugins share it). */
  private readonly webhooks: WebhookDispatch;
  /** ValidatingAdmissionPolicy, with the policies and bindings it follows. */
  private readonly policies: ValidatingAdmissionPolicyPlugin;
  /** APIServices: requests under an extension server's group/version are proxied to it. */
  readonly aggregator: Aggregator;
  private readonly compactor: Compactor;
  private readonly health: HealthEndpoints;
  private readonly listenSockets: unknown[] = [];
  /** The front proxy's listener's port, once listening (--front-proxy-port). */
  frontProxyPort?: number;
  private readonly inFlight = new InFlight();
  private readonly maxInFlight: MaxInFlight;
  /** API Priority and Fairness (--enable-priority-and-fairness): its state, and the filter that uses it. */
  readonly flowControl?: FlowControl;
  private readonly priorityAndFairness?: PriorityAndFairness;
  private readonly objectStats?: ObjectStatsTracker;
  /** This server's Prometheus registry (/metrics). */
  readonly metrics: APIServerMetrics;
  private readonly storageResources: StorageResources;
  /** Unset with --event-loop-block-threshold=0. */
  private readonly watchdog?: EventLoopWatchdog;
  private shuttingDown = false;
  /** Post-start hooks that have run (the RBAC bootstrap among them): /readyz waits for them, as kube's. */
  private readonly postStartDone = new Set<string>();

  constructor(readonly config: ServerConfig) {
    // Storage: etcd, the watch cache over it, and the generic store over both.
    this.storage = new EtcdStorage({ endpoints: config.etcdServers, requestTimeoutMs: config.etcdRequestTimeoutSeconds * 1000,
      tls: { caFile: config.etcdCAFile, certFile: config.etcdCertFile, keyFile: config.etcdKeyFile } });
    // The cache's events: the Redis fan-out stream with --redis-url (etcd when it cannot), else its own etcd watch.
    this.fanout = Fanout.fromConfig(config, this.storage.client);
    const feed = this.fanout?.feed ?? new EtcdWatchFeed(this.storage.client, registryRoot);
    this.cache = new WatchCache(this.storage, { historySize: config.watchCacheHistory, feed });
    this.cacher = new Cacher(this.storage, this.cache);
    this.allocators = new EtcdAllocators(this.storage, config.serviceClusterIPRange, config.serviceNodePortRange);
    // The certificate plugins ask the authorizer, which is built below (it reads through the store).
    const authorizer = { authorize: (a: Attributes) => this.security.authorizer.authorize(a) };
    this.webhooks = new WebhookDispatch(this.cacher, this.types);
    this.policies = new ValidatingAdmissionPolicyPlugin(this.cacher, this.types, authorizer);
    // kube's order (admission/plugins.ts), whatever order --enable-admission-plugins names them in.
    const plugins = new AdmissionChain(buildAdmissionPlugins(config.admissionPlugins ?? enabledAdmissionPlugins([], []),
      { storage: this.cacher, types: this.types, authorizer, webhooks: this.webhooks, policies: this.policies,
        admissionControlConfigFile: config.security.admissionControlConfigFile }));
    const tracer = activeTracer();
    const admission = tracer ? tracedAdmission(tracer, plugins) : plugins;
    this.store = new GenericStore(this.cacher, this.types, this.allocators, admission, {
      ...defaultWatchSettings,
      bookmarkIntervalMs: config.watchBookmarkIntervalSeconds * 1000,
      maxQueuedBytes: config.watchMaxQueuedBytes,
    }, new LeaseControllerManagerPresence(this.cacher));

    registerBuiltins(this.types);
    this.security = buildSecurity(config, { cacher: this.cacher, store: this.store, types: this.types });
    this.store.authorization = { authorizer: this.security.authorizer, ruleResolver: this.security.ruleResolver };
    this.aggregator = new Aggregator(this.store, this.cacher, this.types, this.types.lookup('apiregistration.k8s.io', 'v1', 'apiservices')!, config.security);
    this.compactor = new Compactor(this.storage, config.etcdCompactionIntervalSeconds);
    this.storageResources = new StorageResources(this.types);
    this.metrics = this.buildMetrics();
    this.maxInFlight = new MaxInFlight(config.maxRequestsInFlight, config.maxMutatingRequestsInFlight, (ex) => {
      const labels = ex.requestInfo && requestLabels(ex, ex.requestInfo, (info) => this.served(info));
      if (labels) this.metrics.observeDropped(labels);
    });
    if (config.enablePriorityAndFairness) {
      // kube's server concurrency limit: both max-in-flight flags together, shared out among the priority levels.
      this.flowControl = new FlowControl(config.maxRequestsInFlight + config.maxMutatingRequestsInFlight, new FlowControlMetrics(this.metrics.registry));
      this.flowControl.onConfigured = (flowSchemas, levels) => {
        syncFlowSchemaStatus(this.store, flowschemas, flowSchemas, levels).catch((e: Error) => logger.error(`${config.instanceName}: FlowSchema status: ${e.message}`));
      };
      const objectStats = this.objectStats = new ObjectStatsTracker(this.cache, (key) => this.storageResources.resolve(key));
      this.priorityAndFairness = new PriorityAndFairness(this.flowControl, {
        requestTimeoutSeconds: config.requestTimeoutSeconds, metrics: this.flowControl.metrics, objectStats: (group, resource) => objectStats.get(group, resource),
      });
    }
    if (config.eventLoopBlockThresholdSeconds > 0) this.watchdog = new EventLoopWatchdog(config.eventLoopBlockThresholdSeconds * 1000, (line) => logger.error(`${config.instanceName}: ${line}`));
    this.health = apiserverHealthChecks({
      eventLoop: this.watchdog?.check(),
      pingEtcd: () => this.storage.currentRevision(), cacheReady: () => this.cache.ready, feedMode: () => this.feedMode(),
      shuttingDown: () => this.shuttingDown,
      postStartHooks: { names: postStartHooks.map((h) => h.name), done: (name) => this.postStartDone.has(name) },
    });
  }

  /** Listens, then runs the post-start hooks (default namespaces...). Resolves with the port. */
  async start(): Promise<number> {
    const tracer = activeTracer();
    const filters = defaultHandlerChain({
      requestTimeoutSeconds: this.config.requestTimeoutSeconds, maxInFlight: this.maxInFlight, priorityAndFairness: this.priorityAndFairness,
      metrics: { metrics: this.metrics, served: (info) => this.served(info) },
    }, this.security);
    let chain = buildHandlerChain(tracer ? filters.map((f) => tracedFilter(tracer, f)) : filters, (ex) => this.route(ex));
    // Outermost the request's span (its trace ID goes on the log line), then kube's httplog around the filters.
    chain = httpLog(chain, logger);
    if (tracer) chain = tracedRequests(tracer, chain);
    if (this.watchdog) {
      this.watchdog.start();
      const watchdog = this.watchdog;
      observeRunningRequests((ex) => watchdog.running(ex));
    }
    const port = await this.listen(this.app(), chain, this.config.securePort, false);
    // The front proxy's listener refuses a client certificate from any CA but the requestheader CA; the MAC does the rest.
    if (this.config.frontProxyPort !== undefined) {
      this.frontProxyPort = await this.listen(this.app(this.config.security.requestheaderClientCAFile), chain, this.config.frontProxyPort, true);
    }
    this.fanout?.start();
    void this.cache.start();
    this.flowControl?.follow(this.cache);
    this.objectStats?.start();
    await this.security.start();
    // Webhook configurations are in memory before any write is admitted, the post-start hooks' included.
    await Promise.all([this.webhooks.start(this.store), this.policies.start(this.store)]);
    await this.aggregator.start();
    await runPostStartHooks(postStartHooks, this.postStartContext(), this.postStartDone);
    this.compactor.start();
    return port;
  }

  private app(clientCAFile?: string): TemplatedApp {
    return this.config.tlsCertFile
      // uSockets serves TLS 1.2 and 1.3 only; the cipher list is kube's default (or --tls-cipher-suites) for TLS 1.2.
      ? uws.SSLApp({ cert_file_name: this.config.tlsCertFile, key_file_name: this.config.tlsPrivateKeyFile,
        ssl_ciphers: opensslCiphers(this.config.security.tlsCipherSuites), ...(clientCAFile ? { ca_file_name: clientCAFile } : {}) })
      : uws.App();
  }

  private async listen(app: TemplatedApp, chain: (ex: Exchange) => Promise<void>, wanted: number, frontProxyListener: boolean): Promise<number> {
    serveWatchWebSockets(app, this.types, this.store, chain, frontProxyListener);
    serveHTTP(app, chain, this.inFlight, frontProxyListener);
    return new Promise<number>((resolve, reject) => {
      // Exclusive, as kube-apiserver without --permit-port-sharing: uWS's default SO_REUSEPORT let a second
      // server bind this port and take a share of its connections.
      type Listen = (host: string, port: number, options: number, cb: Parameters<TemplatedApp['listen']>[2]) => void;
      const exclusivePort = 1; // LIBUS_LISTEN_EXCLUSIVE_PORT: the native listen takes (host, port, options, cb); the typings lack it
      (app.listen as unknown as Listen).call(app, this.config.bindAddress, wanted, exclusivePort, (socket) => {
        if (!socket) reject(new Error(`cannot listen on ${this.config.bindAddress}:${wanted}`));
        else {
          this.listenSockets.push(socket);
          resolve(uws.us_socket_local_port(socket));
        }
      });
    });
  }

  private closeListeners(): void {
    for (const socket of this.listenSockets.splice(0)) uws.us_listen_socket_close(socket as never);
  }

  /**
   * Graceful termination, as kube-apiserver's: /readyz fails at once while requests are still served
   * for --shutdown-delay-duration (load balancers stop sending), then the listener closes, watches
   * end cleanly (clients resume elsewhere from their last resourceVersion), in-flight requests get
   * up to --request-timeout to finish, and the rest stops.
   */
  async shutdown(): Promise<void> {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    if (this.config.shutdownDelaySeconds > 0) await new Promise((r) => setTimeout(r, this.config.shutdownDelaySeconds * 1000));
    this.closeListeners();
    for (const stop of [...this.store.openWatches]) stop();
    await this.inFlight.drained(this.config.requestTimeoutSeconds * 1000);
    await this.stop();
  }

  async stop(): Promise<void> {
    this.compactor.stop();
    this.flowControl?.stop();
    this.objectStats?.stop();
    if (this.watchdog) {
      this.watchdog.stop();
      observeRunningRequests(undefined);
    }
    await this.fanout?.stop();
    stopCustomResourceDefinitionWatcher(this.store);
    stopClusterRoleAggregation(this.store);
    stopCertificateControllers(this.store);
    stopNamespaceDefaults(this.store);
    stopPriorityAndFairnessConfiguration(this.store);
    this.webhooks.stop();
    this.policies.stop();
    stopAutoRegistration(this.store);
    stopClusterAuthenticationTrust(this.store);
    this.aggregator.stop();
    await this.security.stop();
    await this.cache.stop();
    this.closeListeners();
    this.storage.close();
  }

  private postStartContext(): PostStartContext {
    return { store: this.store, types: this.types, allocators: this.allocators, config: this.config, cacheReady: () => this.cache.ready };
  }

  private feedMode(): string {
    return this.fanout?.feed.currentMode() ?? 'etcd';
  }

  /** The registry, reading each part's state when scraped; the storage and the watches report as they go. */
  private buildMetrics(): APIServerMetrics {
    const fanout = this.fanout;
    const metrics = new APIServerMetrics({
      inflight: () => (this.priorityAndFairness ?? this.maxInFlight).counts(),
      objectCounts: () => (this.cache.ready ? countObjects(this.storageResources, this.cache.keys()) : undefined),
      watchCache: () => this.cache.stats(),
      openWatches: () => this.store.openWatches.size,
      feedMode: () => this.feedMode(),
      fanout: fanout && (() => ({ modeSwitches: fanout.feed.modeSwitches(), ...fanout.publisher.stats() })),
    });
    this.storage.observe = (operation, key, seconds, failed) => {
      const gr = this.storageResources.resolve(key);
      metrics.observeEtcd(operation, gr.group, gr.resource, seconds, failed);
    };
    this.store.watchEventSent = (rt, bytes) => metrics.observeWatchEvent(rt.group, rt.version, rt.resource, bytes);
    return metrics;
  }

  /** A resource request for a type this server serves: only those are instrumented (a URL cannot add labels). */
  private served(info: RequestInfo): boolean {
    return this.types.lookup(info.apiGroup, info.apiVersion, info.resource) !== undefined;
  }

  /** The handler at the end of the chain: which path is served by what. */
  private async route(ex: Exchange): Promise<void> {
    // Past authentication and authorization, as kube's aggregator: an extension server's group/version is its to answer.
    if (await this.aggregator.serve(ex)) return;
    // A WebSocket watch, past the filters. Any other request that asks to upgrade is served as it is,
    // over plain HTTP (a list is a list), as kube-apiserver serves it.
    if (ex.upgrade && ex.requestInfo?.isResourceRequest && ex.requestInfo.verb === 'watch') return ex.upgrade();
    if (await serveHealth(ex, this.health)) return;
    if (ex.path === '/metrics') return serveMetrics(ex, this.metrics);
    if (ex.path.startsWith('/openapi/')) {
      if (await serveOpenAPI(ex, this.types, this.aggregator)) return;
      throw errors.notFoundPath();
    }
    const info = ex.requestInfo!;
    if (info.isResourceRequest) return serveResource(ex, info, this.types, this.store, this.security);
    if (serveIssuerDiscovery(ex, this.security.serviceAccounts.discovery)) return;
    if (serveDiscovery(ex, this.types, this.aggregator)) return;
    throw errors.notFoundPath();
  }
}
