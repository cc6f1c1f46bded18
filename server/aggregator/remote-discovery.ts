// The discovery documents of extension servers, as kube's discovery manager keeps them: fetched from
// each Available APIService's /apis/<group>/<version> (as system:kube-aggregator), turned into
// aggregated-discovery resources, and refreshed now and then; served from memory, so an extension
// server that is slow or down never holds up discovery of the others.
import https from 'node:https';
import type { KubeObject } from '../api/object.js';
import { identityHeaders } from './identity-headers.js';
import { type ProxyTransports, tlsFor } from './proxy.js';
import type { APIServiceResolver } from './service-resolution.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const refreshMs = 30_000;
const fetchTimeoutMs = 5000;

/** A legacy APIResourceList as aggregated-discovery resources (subresources folded into their resource). */
export function aggregatedResources(list: Obj, group: string, version: string): unknown[] {
  const byName = new Map<string, Obj>();
  const entries = (list.resources ?? []) as Obj[];
  for (const r of entries) {
    if (String(r.name).includes('/')) continue;
    const out: Obj = {
      resource: r.name, responseKind: { group: r.group ?? group, version: r.version ?? version, kind: r.kind },
      scope: r.namespaced ? 'Namespaced' : 'Cluster', singularResource: r.singularName ?? '', verbs: r.verbs ?? [],
    };
    if (r.shortNames?.length) out.shortNames = r.shortNames;
    if (r.categories?.length) out.categories = r.categories;
    byName.set(r.name, out);
  }
  for (const r of entries) {
    const [name, sub] = String(r.name).split('/');
    const parent = sub ? byName.get(name) : undefined;
    if (!parent) continue;
    (parent.subresources ??= []).push({ subresource: sub, responseKind: { group: r.group ?? group, version: r.version ?? version, kind: r.kind }, verbs: r.verbs ?? [] });
  }
  return [...byName.values()];
}

export class RemoteDiscoveryCache {
  private readonly cache = new Map<string, { uid: string; fetchedAt: number; resources: unknown[] }>();
  private readonly fetching = new Set<string>();

  constructor(private readonly resolver: APIServiceResolver, private readonly transports: ProxyTransports) {}

  /** The cached resources of an Available APIService; starts a fetch when there are none or they are old. */
  resources(apiService: KubeObject): unknown[] | undefined {
    const name = apiService.metadata.name!;
    const hit = this.cache.get(name);
    if (!hit || hit.uid !== apiService.metadata.uid) {
      this.refresh(apiService);
      return undefined;
    }
    if (Date.now() - hit.fetchedAt >= refreshMs) this.refresh(apiService);
    return hit.resources;
  }

  forget(name: string): void {
    this.cache.delete(name);
  }

  refresh(apiService: KubeObject): void {
    const name = apiService.metadata.name!;
    if (this.fetching.has(name)) return;
    this.fetching.add(name);
    void this.fetch(apiService)
      .then((resources) => this.cache.set(name, { uid: apiService.metadata.uid!, fetchedAt: Date.now(), resources }))
      .catch(() => undefined)
      .finally(() => this.fetching.delete(name));
  }

  private async fetch(apiService: KubeObject): Promise<unknown[]> {
    const spec = (apiService.spec ?? {}) as Obj;
    const target = await this.resolver.resolve({ namespace: spec.service.namespace, name: spec.service.name, port: spec.service.port ?? 443 });
    const path = `/apis/${spec.group}/${spec.version}`;
    const headers: Record<string, string | string[]> = { accept: 'application/json' };
    for (const [k, v] of identityHeaders({ name: 'system:kube-aggregator', groups: ['system:masters'] })) headers[k] = headers[k] ? [headers[k] as string, v].flat() : v;
    const body = await new Promise<string>((resolve, reject) => {
      const req = https.request({ host: target.host, port: target.port, path, headers, timeout: fetchTimeoutMs, ...tlsFor(apiService, target, this.transports) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString()) : reject(new Error(`status ${res.statusCode}`))));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', reject);
      req.end();
    });
    return aggregatedResources(JSON.parse(body) as Obj, spec.group, spec.version);
  }
}
