// Content negotiation: which representation a client asked for, and which body format it sent (parsed in body.ts).
import { stringify as yamlStringify } from 'yaml';
import { errors } from '../api/errors.js';
import { stringifyJSON } from '../api/json.js';

/** 'partial' / 'partial-v1beta1': PartialObjectMetadata(List) in meta.k8s.io/v1 or v1beta1 (metadata informers, the GC). */
export type Representation = 'json' | 'yaml' | 'table' | 'partial' | 'partial-v1beta1';

const acceptedOutput = ['application/json', 'application/yaml', 'application/json;as=Table;v=v1;g=meta.k8s.io', 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io', 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io'];
const serializers = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const acceptedInput = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf', 'application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];

interface MediaRange { type: string; params: Record<string, string> }

function parseAccept(header: string): MediaRange[] {
  return header.split(',').map((part) => {
    const [type, ...rest] = part.trim().split(';');
    const params: Record<string, string> = {};
    for (const p of rest) {
      const eq = p.indexOf('=');
      if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim();
    }
    return { type: type.trim().toLowerCase(), params };
  }).filter((m) => m.type);
}

/** Picks the first media range we can serve, in the client's order. Tables only where `tableAllowed`. */
export function negotiate(accept: string | undefined, tableAllowed: boolean): Representation {
  if (!accept) return 'json';
  for (const m of parseAccept(accept)) {
    if (m.params.as === 'Table') {
      if (tableAllowed && m.type === 'application/json' && m.params.g === 'meta.k8s.io' && (m.params.v === 'v1' || m.params.v === 'v1beta1')) return 'table';
      continue;
    }
    if (m.params.as === 'PartialObjectMetadata' || m.params.as === 'PartialObjectMetadataList') {
      if (m.type === 'application/json' && m.params.g === 'meta.k8s.io' && (m.params.v === 'v1' || m.params.v === 'v1beta1')) return m.params.v === 'v1' ? 'partial' : 'partial-v1beta1';
      continue;
    }
    if (m.params.as) continue; // other transformations: not served, let the client fall back.
    if (m.type === 'application/json' || m.type === '*/*' || m.type === 'application/*') return 'json';
    if (m.type === 'application/yaml') return 'yaml';
  }
  // Without Tables kube names its serializers only (pods/binding, pods/eviction).
  throw errors.notAcceptable(tableAllowed ? acceptedOutput : serializers);
}

/** The `as=` a client asked for, for the 406 kube gives when an object is asked for as a list or the reverse. */
export function partialKind(accept: string | undefined): string | undefined {
  for (const m of parseAccept(accept ?? '')) {
    if (m.params.as === 'PartialObjectMetadata' || m.params.as === 'PartialObjectMetadataList') return m.params.as;
  }
  return undefined;
}

export function encode(rep: Representation, obj: unknown): { body: string; contentType: string } {
  if (rep === 'yaml') return { body: yamlStringify(obj), contentType: 'application/yaml' };
  return { body: stringifyJSON(obj), contentType: 'application/json' };
}

export type BodyFormat = 'json' | 'yaml' | 'protobuf' | 'json-patch' | 'merge-patch' | 'strategic-merge-patch' | 'apply-patch';

export function bodyFormat(contentType: string | undefined): BodyFormat {
  // No Content-Type is JSON; one without a media type (";;;") is unparseable, so 415 as in kube.
  const header = contentType?.trim() || 'application/json';
  const type = header.split(';')[0].trim().toLowerCase();
  switch (type) {
    case 'application/json': return 'json';
    case 'application/yaml': return 'yaml';
    case 'application/vnd.kubernetes.protobuf': return 'protobuf';
    case 'application/json-patch+json': return 'json-patch';
    case 'application/merge-patch+json': return 'merge-patch';
    case 'application/strategic-merge-patch+json': return 'strategic-merge-patch';
    case 'application/apply-patch+yaml': return 'apply-patch';
    default: throw errors.unsupportedMediaType(type, acceptedInput);
  }
}
