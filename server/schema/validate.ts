// Schema validation of a decoded object against the resource's OpenAPI definition.
// (Placeholder until the generated schemas land: accepts everything.)
import type { FieldError } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import type { ResourceType } from '../registry/types.js';

export interface SchemaResult {
  /** A type mismatch; kube-apiserver answers these 400 BadRequest when it decodes the body. */
  decodeError?: string;
  /** Required fields, enums, formats: 422 Invalid causes. */
  causes: FieldError[];
  /** Paths of fields the schema does not know (`spec.foo`), for fieldValidation=Strict|Warn. */
  unknownFields: string[];
}

export function validateAgainstSchema(_rt: ResourceType, _obj: KubeObject): SchemaResult {
  return { causes: [], unknownFields: [] };
}
