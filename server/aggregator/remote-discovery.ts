// The discovery documents of extension servers, as kube's discovery manager keeps them: fetched from
// each Available APIService's /apis/<group>/<version> (as system:kube-aggregator), turned into
// aggregated-discovery resources, and refreshed now and then; served from memory, so an extension
// server that is slow or down never holds up discovery of the others.
import https from 'node:https';
import type { KubeObject } from '../api/object.js';
import { doc as openAPIDocument, type OpenAPIDocument } from '../openapi/build.js';
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

interface Fetched {
  uid: string;
  fetchedAt: number;
  resources: unknown[];
  /** The group/version's OpenAPI v3 document, when the extension server serves one. */
  openAPIV3?: OpenAPIDocument;
}

export class RemoteDiscoveryCache {
  private readonly cache = new Map<string, Fetched>();
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
      .then((fetched) => this.cache.set(name, { uid: apiService.metadata.uid!, fetchedAt: Date.now(), ...fetched }))
      .catch(() => undefined)
      .finally(() => this.fetching.delete(name));
  }

  /** The cached OpenAPI v3 document of an APIService (no fetch: discovery keeps the cache fresh). */
  openAPIV3(apiService: KubeObject): OpenAPIDocument | undefined {
    const hit = this.cache.get(apiService.metadata.name!);
    return hit?.uid === apiService.metadata.uid ? hit?.openAPIV3 : undefined;
  }

  private async fetch(apiService: KubeObject): Promise<{ resources: unknown[]; openAPIV3?: OpenAPIDocument }> {
    const spec = (apiService.spec ?? {}) as Obj;
    const resources = aggregatedResources(JSON.parse(await this.get(apiService, `/apis/${spec.group}/${spec.version}`)) as Obj, spec.group, spec.version);
    let openAPIV3: OpenAPIDocument | undefined;
    try {
      // kube-openapi's index names each group/version's document; an extension server without one still serves its API.
      const index = JSON.parse(await this.get(apiService, '/openapi/v3')) as Obj;
      const ref = index.paths?.[`apis/${spec.group}/${spec.version}`]?.serverRelativeURL as string | undefined;
      if (ref) openAPIV3 = openAPIDocument(JSON.parse(await this.get(apiService, ref)));
    } catch {
      openAPIV3 = undefined;
    }
    return { resources, openAPIV3 };
  }

  private async get(apiService: KubeObject, path: string): Promise<string> {
    const spec = (apiService.spec ?? {}) as Obj;
    const target = await this.resolver.resolve({ namespace: spec.service.namespace, name: spec.service.name, port: spec.service.port ?? 443 });
    const headers: Record<string, string | string[]> = { accept: 'application/json' };
    for (const [k, v] of identityHeaders({ name: 'system:kube-aggregator', groups: ['system:masters'] })) headers[k] = headers[k] ? [headers[k] as string, v].flat() : v;
    return new Promise<string>((resolve, reject) => {
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
  }
}
