// Discovery documents derived from the type registry: legacy (/api, /apis, /apis/g/v) and aggregated (apidiscovery.k8s.io/v2).
import { createHash } from 'node:crypto';
import type { TypeRegistry } from '../registry/registry.js';
import { servedSubresources } from '../registry/subresources/served.js';
import type { ResourceType } from '../registry/types.js';
import { apiRegistrationGroupPriority, builtinPriority, crdPriority } from '../aggregator/priorities.js';

export const aggregatedV2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const aggregatedV2beta1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

/** Kubernetes version priority: GA before beta before alpha, higher numbers first. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = v.match(/^v(\d+)(?:(alpha|beta)(\d+))?$/);
    if (!m) return [0, 0, 0, v] as const;
    const stage = m[2] === 'alpha' ? 1 : m[2] === 'beta' ? 2 : 3;
    return [3, stage, Number(m[1]), Number(m[3] ?? 0)] as const;
  };
  const pa = parse(a);
  const pb = parse(b);
  if (pa[0] !== pb[0]) return pb[0] - pa[0];
  if (pa[0] === 0) return a.localeCompare(b);
  if (pa[1] !== pb[1]) return (pb[1] as number) - (pa[1] as number);
  if (pa[2] !== pb[2]) return (pb[2] as number) - (pa[2] as number);
  return (pb[3] as number) - (pa[3] as number);
}

function versionsOf(types: TypeRegistry, group: string): string[] {
  return [...(types.group(group)?.versions ?? [])].sort(compareVersions);
}

/** A group/version served by an extension server (an APIService with a service), as discovery lists it. */
export interface RemoteGroupVersion {
  group: string;
  version: string;
  groupPriorityMinimum: number;
  versionPriority: number;
  /** Its aggregated-discovery resources while it is Available and they were fetched; undefined lists it Stale. */
  resources?: unknown[];
}

/** What the aggregation layer adds to discovery; none on a server without it. */
export interface RemoteDiscovery {
  groupVersions(): RemoteGroupVersion[];
}

interface MergedGroup {
  name: string;
  priority: number;
  /** Preferred first. */
  versions: Array<{ version: string; remote?: RemoteGroupVersion }>;
}

/**
 * Every named group, local and remote, in kube-aggregator's order: by group priority (the highest
 * groupPriorityMinimum of its versions; apiregistration.k8s.io first), then by name; versions by
 * versionPriority, then kube's version order.
 */
export function mergedGroups(types: TypeRegistry, remote?: RemoteDiscovery): MergedGroup[] {
  const groups = new Map<string, { priority: number; versions: Map<string, { priority: number; remote?: RemoteGroupVersion }> }>();
  const add = (group: string, version: string, gp: number, vp: number, r?: RemoteGroupVersion) => {
    let g = groups.get(group);
    if (!g) groups.set(group, (g = { priority: gp, versions: new Map() }));
    g.priority = Math.max(g.priority, gp);
    g.versions.set(version, { priority: vp, remote: r });
  };
  for (const g of types.allGroups()) {
    if (!g.name) continue;
    for (const v of g.versions) {
      const p = g.name === 'apiregistration.k8s.io' ? { group: apiRegistrationGroupPriority, version: 15 } : builtinPriority(g.name, v) ?? crdPriority;
      add(g.name, v, p.group, p.version);
    }
  }
  for (const r of remote?.groupVersions() ?? []) if (r.group) add(r.group, r.version, r.groupPriorityMinimum, r.versionPriority, r);
  const out: MergedGroup[] = [...groups].map(([name, g]) => ({
    name, priority: g.priority,
    versions: [...g.versions].sort((a, b) => b[1].priority - a[1].priority || compareVersions(a[0], b[0])).map(([version, v]) => ({ version, remote: v.remote })),
  }));
  return out.sort((a, b) => b.priority - a.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function apiVersions(): unknown {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '' }] };
}

export function apiGroupList(types: TypeRegistry, remote?: RemoteDiscovery): unknown {
  return {
    kind: 'APIGroupList', apiVersion: 'v1',
    groups: mergedGroups(types, remote).map(groupDocument),
  };
}

function groupDocument(g: MergedGroup): unknown {
  const versions = g.versions.map((v) => ({ groupVersion: `${g.name}/${v.version}`, version: v.version }));
  return { kind: 'APIGroup', apiVersion: 'v1', name: g.name, versions, preferredVersion: versions[0] };
}

export function apiGroup(types: TypeRegistry, group: string, remote?: RemoteDiscovery): unknown {
  const g = mergedGroups(types, remote).find((x) => x.name === group);
  return g ? groupDocument(g) : undefined;
}

function verbsFor(rt: ResourceType): string[] {
  return [...rt.verbs];
}

export function apiResourceList(types: TypeRegistry, group: string, version: string): unknown {
  const list = types.resourcesIn(group, version);
  if (!list.length) return undefined;
  const resources: unknown[] = [];
  for (const rt of list) {
    const entry: Record<string, unknown> = {
      name: rt.resource, singularName: rt.singular, namespaced: rt.namespaced, kind: rt.kind, verbs: verbsFor(rt),
      storageVersionHash: storageVersionHash(rt),
    };
    if (rt.shortNames?.length) entry.shortNames = rt.shortNames;
    if (rt.categories?.length) entry.categories = rt.categories;
    resources.push(entry);
    for (const sub of servedSubresources(rt)) {
      const other = sub.kind.group !== rt.group || sub.kind.version !== rt.version;
      resources.push({
        name: `${rt.resource}/${sub.name}`, singularName: '', namespaced: rt.namespaced,
        ...(other ? { group: sub.kind.group, version: sub.kind.version } : {}), kind: sub.kind.kind, verbs: sub.verbs,
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}

function aggregatedResource(rt: ResourceType): unknown {
  const entry: Record<string, unknown> = {
    resource: rt.resource,
    responseKind: { group: rt.group, version: rt.version, kind: rt.kind },
    scope: rt.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: rt.singular,
    verbs: verbsFor(rt),
  };
  if (rt.shortNames?.length) entry.shortNames = rt.shortNames;
  if (rt.categories?.length) entry.categories = rt.categories;
  const subs = servedSubresources(rt).map((sub) => ({ subresource: sub.name, responseKind: sub.kind, verbs: sub.verbs }));
  if (subs.length) entry.subresources = subs;
  return entry;
}

/** apidiscovery.k8s.io/v2 APIGroupDiscoveryList for /api (legacy) or /apis (every named group). */
export function aggregatedDiscovery(types: TypeRegistry, legacy: boolean, apiVersion = 'apidiscovery.k8s.io/v2', remote?: RemoteDiscovery): unknown {
  const local = (group: string, v: string) => ({ version: v, resources: types.resourcesIn(group, v).map(aggregatedResource), freshness: 'Current' });
  if (legacy) {
    return { kind: 'APIGroupDiscoveryList', apiVersion, metadata: {}, items: types.group('') ? [{ metadata: {}, versions: versionsOf(types, '').map((v) => local('', v)) }] : [] };
  }
  return {
    kind: 'APIGroupDiscoveryList', apiVersion, metadata: {},
    items: mergedGroups(types, remote).map((g) => ({
      metadata: { name: g.name },
      // An extension server's version without fetched resources is Stale, as kube marks one it cannot reach.
      versions: g.versions.map(({ version, remote: r }) => (!r ? local(g.name, version)
        : r.resources ? { version, resources: r.resources, freshness: 'Current' } : { version, freshness: 'Stale' })),
    })),
  };
}

/** Whether the Accept header asks for aggregated discovery, and which version of it. */
export function wantsAggregated(accept: string | undefined): string | undefined {
  if (!accept) return undefined;
  for (const part of accept.split(',')) {
    const p = part.replace(/\s+/g, '');
    if (p.startsWith('application/json') && p.includes('as=APIGroupDiscoveryList') && p.includes('g=apidiscovery.k8s.io')) {
      if (p.includes('v=v2beta1')) return aggregatedV2beta1;
      if (p.includes('v=v2')) return aggregatedV2;
    }
    if (p === 'application/json' || p === '*/*') return undefined;
  }
  return undefined;
}

/** apiserver's StorageVersionHash: the first 8 bytes of sha256("group/version/kind"), core group "" included. */
function storageVersionHash(rt: ResourceType): string {
  const groupVersion = rt.storageVersion.includes('/') ? rt.storageVersion : `/${rt.storageVersion}`;
  return createHash('sha256').update(`${groupVersion}/${rt.kind}`).digest().subarray(0, 8).toString('base64');
}

export function etag(body: string): string {
  return `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"`;
}
