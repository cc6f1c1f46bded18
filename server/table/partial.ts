// PartialObjectMetadata(List): an object or a list reduced to its metadata, as kube's response
// transformation (endpoints/handlers/response.go) serves it for `Accept: ...;as=PartialObjectMetadata`.
import type { KubeObject } from '../api/object.js';

export function partialApiVersion(rep: 'partial' | 'partial-v1beta1'): string {
  return rep === 'partial' ? 'meta.k8s.io/v1' : 'meta.k8s.io/v1beta1';
}

export function asPartialObjectMetadata(obj: KubeObject, apiVersion: string): Record<string, unknown> {
  return { kind: 'PartialObjectMetadata', apiVersion, metadata: obj.metadata };
}

export function asPartialObjectMetadataList(listMeta: Record<string, unknown>, items: KubeObject[], apiVersion: string): Record<string, unknown> {
  return { kind: 'PartialObjectMetadataList', apiVersion, metadata: listMeta, items: items.map((o) => asPartialObjectMetadata(o, apiVersion)) };
}
