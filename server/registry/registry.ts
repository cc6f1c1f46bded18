// The type registry: every served group/version/resource, and what discovery, OpenAPI,
// validation and Table output are derived from.
import type { ResourceType } from './types.js';

export interface GroupInfo {
  name: string;
  /** Served versions, preferred first. */
  versions: string[];
}

export class TypeRegistry {
  private readonly byGVR = new Map<string, ResourceType>();
  private readonly byGVK = new Map<string, ResourceType>();
  private readonly groups = new Map<string, GroupInfo>();
  private readonly listeners: Array<() => void> = [];

  add(rt: ResourceType): void {
    this.byGVR.set(gvrKey(rt.group, rt.version, rt.resource), rt);
    this.byGVK.set(gvkKey(rt.group, rt.version, rt.kind), rt);
    let g = this.groups.get(rt.group);
    if (!g) {
      g = { name: rt.group, versions: [] };
      this.groups.set(rt.group, g);
    }
    if (!g.versions.includes(rt.version)) g.versions.push(rt.version);
    for (const l of this.listeners) l();
  }

  remove(group: string, version: string, resource: string): void {
    const rt = this.byGVR.get(gvrKey(group, version, resource));
    if (!rt) return;
    this.byGVR.delete(gvrKey(group, version, resource));
    this.byGVK.delete(gvkKey(group, version, rt.kind));
    const g = this.groups.get(group);
    if (g && !this.resourcesIn(group, version).length) {
      g.versions = g.versions.filter((v) => v !== version);
      if (!g.versions.length) this.groups.delete(group);
    }
    for (const l of this.listeners) l();
  }

  /** Called whenever the set of served types changes (discovery and OpenAPI caches listen). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  lookup(group: string, version: string, resource: string): ResourceType | undefined {
    return this.byGVR.get(gvrKey(group, version, resource));
  }

  lookupKind(group: string, version: string, kind: string): ResourceType | undefined {
    return this.byGVK.get(gvkKey(group, version, kind));
  }

  /** Groups in discovery order: the legacy core group first, then as registered. */
  allGroups(): GroupInfo[] {
    return [...this.groups.values()];
  }

  group(name: string): GroupInfo | undefined {
    return this.groups.get(name);
  }

  resourcesIn(group: string, version: string): ResourceType[] {
    return [...this.byGVR.values()].filter((rt) => rt.group === group && rt.version === version);
  }

  all(): ResourceType[] {
    return [...this.byGVR.values()];
  }

  /** Every served version of the same stored resource (core/v1 and events.k8s.io/v1 events share one). */
  sharingStorage(rt: ResourceType): ResourceType[] {
    return this.all().filter((o) => o.storagePrefix === rt.storagePrefix);
  }
}

function gvrKey(g: string, v: string, r: string): string {
  return `${g}/${v}/${r}`;
}

function gvkKey(g: string, v: string, k: string): string {
  return `${g}/${v}/${k}`;
}
