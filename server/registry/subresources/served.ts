// Every subresource one resource serves, with the kind and verbs discovery names: status and scale
// from their flags, the others as the resource declares them. Routing and discovery both read this.
import type { ResourceType, SubresourceDef } from '../types.js';

export function servedSubresources(rt: ResourceType): SubresourceDef[] {
  const out: SubresourceDef[] = [];
  const own = { group: rt.group, version: rt.version, kind: rt.kind };
  if (rt.subresources?.status) out.push({ name: 'status', kind: own, verbs: ['get', 'patch', 'update'] });
  if (rt.subresources?.scale) out.push({ name: 'scale', kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' }, verbs: ['get', 'patch', 'update'] });
  out.push(...(rt.subresources?.others ?? []));
  // kube-apiserver lists a resource's subresources by name.
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function servedSubresource(rt: ResourceType, name: string): SubresourceDef | undefined {
  return servedSubresources(rt).find((s) => s.name === name);
}
