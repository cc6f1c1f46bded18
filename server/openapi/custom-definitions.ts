// OpenAPI definitions of the custom resource types in the registry, from each version's
// openAPIV3Schema (ResourceType.schema): the kind with apiVersion, kind and ObjectMeta added, and its list.
import type { TypeRegistry } from '../registry/registry.js';
import { definitionsRef, type Schema } from '../schema/definitions.js';

const metaV1 = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const apiVersionProp: Schema = { type: 'string', description: 'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources' };
const kindProp: Schema = { type: 'string', description: 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds' };

export function customResourceDefinitions(types: TypeRegistry): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  for (const rt of types.all()) {
    if (!rt.schema) continue;
    const s = rt.schema as Schema;
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
    out[`${rt.definition}List`] = {
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
  return out;
}
