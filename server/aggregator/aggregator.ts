// The aggregation layer of one instance: the APIServices followed from the watch cache, requests under
// an aggregated group/version proxied to their extension server (503 while it is not Available), the
// Available condition kept, and the extension groups handed to discovery.
import { readFileSync } from 'node:fs';
import type { KubeObject } from '../api/object.js';
import { CachedReads } from '../admission/cached-reads.js';
import type { SecurityConfig } from '../config.js';
import type { Exchange } from '../http/exchange.js';
import { PrefixFollower } from '../registry/follower.js';
import type { TypeRegistry } from '../registry/registry.js';
import type { GenericStore } from '../registry/store.js';
import type { ResourceType } from '../registry/types.js';
import type { Storage } from '../storage/interface.js';
import { availableCondition } from '../resources/apiregistration/apiservices.js';
import { AvailableConditionController } from './available-controller.js';
import { proxyToExtension, ProxyTransports, sendProxyError } from './proxy.js';
import { APIServiceResolver } from './service-resolution.js';
import { RemoteDiscoveryCache } from './remote-discovery.js';
import type { RemoteDiscovery, RemoteGroupVersion } from '../discovery/discovery.js';
import type { OpenAPIDocument } from '../openapi/build.js';
import type { RemoteOpenAPI } from '../openapi/serve.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

export interface AggregatorOptions {
  /** How often every APIService is checked again (kube requeues failing ones quickly too). */
  availabilityResyncMs?: number;
}

export class Aggregator implements RemoteDiscovery, RemoteOpenAPI {
  private readonly follower: PrefixFollower;
  private readonly transports: ProxyTransports;
  private readonly resolver: APIServiceResolver;
  private readonly available: AvailableConditionController;
  private readonly discovery: RemoteDiscoveryCache;
  /** APIServices by `group/version`. */
  private readonly byGroupVersion = new Map<string, KubeObject>();

  constructor(store: GenericStore, storage: Storage, types: TypeRegistry, apiservices: ResourceType, security: SecurityConfig, opts: AggregatorOptions = {}) {
    const reads = new CachedReads(storage, types);
    const client = security.proxyClientCertFile && security.proxyClientKeyFile
      ? { cert: readFileSync(security.proxyClientCertFile, 'utf8'), key: readFileSync(security.proxyClientKeyFile, 'utf8') }
      : undefined;
    this.transports = new ProxyTransports(client);
    this.resolver = new APIServiceResolver(reads, security.enableAggregatorRouting);
    this.discovery = new RemoteDiscoveryCache(this.resolver, this.transports);
    this.follower = new PrefixFollower(store, apiservices, {
      changed: (key, obj) => {
        const name = key.slice(1);
        for (const [gv, o] of this.byGroupVersion) if (o.metadata.name === name) this.byGroupVersion.delete(gv);
        if (obj) {
          const spec = (obj.spec ?? {}) as Obj;
          this.byGroupVersion.set(`${spec.group ?? ''}/${spec.version}`, obj);
          this.available.enqueue(name);
          // Newly Available (or changed): its discovery document is fetched again.
          if (spec.service && availableCondition(obj)?.status === 'True') this.discovery.refresh(obj);
        } else {
          this.transports.forget(name);
          this.discovery.forget(name);
        }
      },
    });
    this.available = new AvailableConditionController(store, apiservices, this.follower, reads, this.resolver, this.transports, opts.availabilityResyncMs ?? 5000);
  }

  async start(): Promise<void> {
    await this.follower.start();
    this.available.start();
  }

  stop(): void {
    this.available.stop();
    this.follower.stop();
    this.transports.destroy();
  }

  /** The APIService that sends /apis/<group>/<version>[/...] elsewhere, if any. */
  remoteFor(path: string): KubeObject | undefined {
    const parts = path.split('/');
    if (parts[1] !== 'apis' || !parts[2] || !parts[3]) return undefined;
    const obj = this.byGroupVersion.get(`${parts[2]}/${parts[3]}`);
    return obj && (obj.spec as Obj | undefined)?.service ? obj : undefined;
  }

  /** Proxies `ex` when its path is under an aggregated group/version; false when it is served here. */
  async serve(ex: Exchange): Promise<boolean> {
    const apiService = this.remoteFor(ex.path);
    if (!apiService) return false;
    if (availableCondition(apiService)?.status !== 'True') sendProxyError(ex, 503, 'service unavailable');
    else await proxyToExtension(ex, apiService, this.resolver, this.transports);
    return true;
  }

  /** The OpenAPI v3 documents of the Available extension servers, by `apis/<group>/<version>`. */
  openAPIV3(): Map<string, OpenAPIDocument> {
    const out = new Map<string, OpenAPIDocument>();
    for (const obj of this.byGroupVersion.values()) {
      const spec = (obj.spec ?? {}) as Obj;
      if (!spec.service || availableCondition(obj)?.status !== 'True') continue;
      const d = this.discovery.openAPIV3(obj);
      if (d) out.set(`apis/${spec.group}/${spec.version}`, d);
    }
    return out;
  }

  /** Every group/version served by an extension server, for discovery; resources only while it is Available. */
  groupVersions(): RemoteGroupVersion[] {
    const out: RemoteGroupVersion[] = [];
    for (const obj of this.byGroupVersion.values()) {
      const spec = (obj.spec ?? {}) as Obj;
      if (!spec.service) continue;
      const resources = availableCondition(obj)?.status === 'True' ? this.discovery.resources(obj) : undefined;
      out.push({ group: spec.group ?? '', version: spec.version, groupPriorityMinimum: spec.groupPriorityMinimum, versionPriority: spec.versionPriority, resources });
    }
    return out;
  }
}
