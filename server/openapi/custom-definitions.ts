// OpenAPI definitions of the custom resource types in the registry, from each version's
// openAPIV3Schema (ResourceType.schema): the kind with apiVersion, kind and ObjectMeta added, and its list.
import type { TypeRegistry } from '../registry/registry.js';
import type { ResourceType } from '../registry/types.js';
import { definitionsRef, type Schema } from '../schema/definitions.js';

const metaV1 = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const apiVersionProp: Schema = { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources' };
const kindProp: Schema = { type: 'string', description: 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds' };

/**
 * kube's ToStructuralOpenAPIV2: what kubectl's v2 validation cannot take goes (junctors; the type,
 * items and properties of nullable values; the items and properties of preserved ones).
 */
function toV2(schema: Schema): Schema {
  const s = { ...schema } as Record<string, unknown>;
  for (const k of ['allOf', 'oneOf', 'anyOf', 'not']) delete s[k];
  if (s.nullable) { delete s.type; delete s.nullable; delete s.items; delete s.properties; }
  if (s['x-kubernetes-preserve-unknown-fields']) { delete s.items; delete s.properties; }
  if (!s.items && s.type === 'array') delete s.type;
  if (s['x-kubernetes-preserve-unknown-fields'] && s.type === 'object') delete s.type;
  const props = s.properties as Record<string, Schema> | undefined;
  if (props) {
    s.properties = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, toV2(v)]));
    const nullable = Object.keys(props).filter((k) => (props[k] as Record<string, unknown>).nullable);
    if (Array.isArray(s.required) && nullable.length) s.required = s.required.filter((r: string) => !nullable.includes(r));
  }
  if (s.items && typeof s.items === 'object' && !Array.isArray(s.items)) s.items = toV2(s.items as Schema);
  const additional = s.additionalProperties;
  if (additional && typeof additional === 'object') {
    if ((additional as Record<string, unknown>).nullable) delete s.required;
    s.additionalProperties = toV2(additional as Schema);
  }
  return s as Schema;
}

/** `v2`: as /openapi/v2 serves them (kube's v2 conversion), else as the v3 documents do. */
export function customResourceDefinitions(types: TypeRegistry, v2 = false): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  for (const rt of types.all()) {
    if (!rt.schema) continue;
    const s = v2 ? toV2(rt.schema as Schema) : rt.schema as Schema;
    // kube's buildKubeNative: no properties at all, not even ObjectMeta, or kubectl would refuse the unknown ones.
    if (v2 && (rt.schema as Record<string, unknown>)['x-kubernetes-preserve-unknown-fields']) {
      out[rt.definition] = { type: 'object' };
      out[`${rt.definition}List`] = listDefinition(rt);
      continue;
    }
    out[rt.definition] = {
      ...s,
      type: 'object',
      properties: {
        ...(s.properties ?? {}),
        apiVersion: apiVersionProp,
        kind: kindProp,
        metadata: { $ref: `${definitionsRef}${metaV1}.ObjectMeta`, description: "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata" },
      },
    };
    out[`${rt.definition}List`] = listDefinition(rt);
  }
  return out;
}

function listDefinition(rt: ResourceType): Schema {
  return {
    type: 'object',
    description: `${rt.kind}List is a list of ${rt.kind}`,
    required: ['items'],
    properties: {
      apiVersion: apiVersionProp,
      items: { type: 'array', description: `List of ${rt.resource}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md`, items: { $ref: `${definitionsRef}${rt.definition}` } },
      kind: kindProp,
      metadata: { $ref: `${definitionsRef}${metaV1}.ListMeta`, description: 'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds' },
    },
  };
}
