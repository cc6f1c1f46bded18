// Schema validation of a decoded object against its OpenAPI definition, with ajv: type mismatches
// become kube-apiserver's decode errors (400), missing required fields 422 causes, and unknown
// fields are reported for fieldValidation=Strict|Warn. One validator per definition, compiled on
// first use and kept.
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import { type FieldError, field } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import type { ResourceType } from '../registry/types.js';
import { builtinDefinitions, refName, type Schema } from './definitions.js';

const Ajv = AjvModule as unknown as typeof AjvModule.default;

export interface SchemaResult {
  /** A type mismatch; kube-apiserver answers these 400 BadRequest when it decodes the body. */
  decodeError?: string;
  /** Required fields: 422 Invalid causes. */
  causes: FieldError[];
  /** Paths of fields the schema does not know (`spec.foo`), for fieldValidation=Strict|Warn. */
  unknownFields: string[];
}

const rootId = 'k8s';
let ajv: InstanceType<typeof Ajv> | undefined;
const compiled = new Map<string, ValidateFunction | null>();

/** The definition as a validating schema: closed objects (so unknown fields show), int-or-string and Quantity as either. */
function strict(s: Schema): Schema {
  if (s.format === 'int-or-string' || s['x-kubernetes-int-or-string']) return { type: ['integer', 'string'] } as unknown as Schema;
  if (s.format === 'quantity') return { type: ['string', 'number'] } as unknown as Schema;
  if (s.$ref) return { $ref: s.$ref };
  const out: Schema = {};
  if (s.type) out.type = s.type;
  if (s.items) out.items = strict(s.items);
  if (s.properties) {
    out.properties = {};
    for (const [k, v] of Object.entries(s.properties)) out.properties[k] = strict(v);
    if (s.additionalProperties === undefined && !s['x-kubernetes-preserve-unknown-fields']) out.additionalProperties = false;
  }
  if (s.additionalProperties !== undefined) out.additionalProperties = typeof s.additionalProperties === 'object' ? strict(s.additionalProperties) : s.additionalProperties;
  if (s.required?.length) out.required = s.required;
  return out;
}

function instance(): InstanceType<typeof Ajv> {
  if (ajv) return ajv;
  ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false, addUsedSchema: false });
  const definitions: Record<string, Schema> = {};
  for (const [name, def] of Object.entries(builtinDefinitions())) definitions[name] = strict(def);
  ajv.addSchema({ $id: rootId, definitions });
  return ajv;
}

function validatorFor(definition: string): ValidateFunction | undefined {
  let v = compiled.get(definition);
  if (v === undefined) {
    v = builtinDefinitions()[definition] ? instance().getSchema(`${rootId}#/definitions/${definition}`) ?? null : null;
    compiled.set(definition, v);
  }
  return v ?? undefined;
}

function segments(instancePath: string): string[] {
  return instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** `/spec/template/spec/containers/0/image` -> `spec.template.spec.containers[0].image`. */
export function fieldPath(instancePath: string, extra?: string): string {
  const parts = segments(instancePath);
  if (extra !== undefined) parts.push(extra);
  let out = '';
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out ? `.${p}` : p;
  return out;
}

/** The Go type kube-apiserver's decoder names for a schema (`int32`, `[]v1.Container`, `map[string]string`). */
function goType(s: Schema | undefined): string {
  if (!s) return 'interface {}';
  if (s.$ref) {
    const name = refName(s.$ref);
    const def = builtinDefinitions()[name];
    if (def?.format === 'int-or-string') return 'intstr.IntOrString';
    if (def?.format === 'quantity') return 'resource.Quantity';
    const parts = name.split('.');
    return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
  }
  if (s.format === 'int-or-string') return 'intstr.IntOrString';
  switch (s.type) {
    case 'array': return `[]${goType(s.items)}`;
    case 'object': return s.additionalProperties && typeof s.additionalProperties === 'object' ? `map[string]${goType(s.additionalProperties)}` : 'map[string]interface {}';
    case 'integer': return s.format === 'int64' ? 'int64' : 'int32';
    case 'number': return 'float64';
    case 'boolean': return 'bool';
    case 'string': return s.format === 'date-time' ? 'v1.Time' : s.format === 'byte' ? '[]uint8' : 'string';
    default: return 'interface {}';
  }
}

/** A JSON value's kind in Go's decode errors. */
function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

function deref(s: Schema | undefined): Schema | undefined {
  return s?.$ref ? builtinDefinitions()[refName(s.$ref)] : s;
}

/**
 * Go's "cannot unmarshal" message for a type error at instancePath: the struct holding the last
 * field, the path of struct fields (no indices or map keys, as encoding/json writes it) and the Go type.
 */
function decodeMessage(rt: ResourceType, obj: unknown, instancePath: string): string {
  let struct = rt.kind;
  let schema: Schema | undefined = { $ref: `#/definitions/${rt.definition}` };
  let value: unknown = obj;
  const fields: string[] = [];
  for (const seg of segments(instancePath)) {
    const s = deref(schema);
    value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[seg] : undefined;
    if (s?.properties) {
      if (schema?.$ref) struct = refName(schema.$ref).slice(refName(schema.$ref).lastIndexOf('.') + 1);
      fields.push(seg);
      schema = s.properties[seg];
    } else if (s?.type === 'array') schema = s.items;
    else if (s?.additionalProperties && typeof s.additionalProperties === 'object') schema = s.additionalProperties;
    else schema = undefined;
  }
  // encoding/json names the literal only when a number does not fit an integer field.
  const kind = typeof value === 'number' && deref(schema)?.type === 'integer' ? `number ${value}` : jsonKind(value);
  return `${rt.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: json: cannot unmarshal ${kind} into Go struct field ${struct}.${fields.join('.')} of type ${goType(schema)}`;
}

export function validateAgainstSchema(rt: ResourceType, obj: KubeObject): SchemaResult {
  const result: SchemaResult = { causes: [], unknownFields: [] };
  const validate = validatorFor(rt.definition);
  if (!validate || validate(obj)) return result;
  for (const e of (validate.errors ?? []) as ErrorObject[]) {
    if (e.keyword === 'additionalProperties') {
      result.unknownFields.push(fieldPath(e.instancePath, (e.params as { additionalProperty: string }).additionalProperty));
    } else if (e.keyword === 'required') {
      result.causes.push(field.required(fieldPath(e.instancePath, (e.params as { missingProperty: string }).missingProperty)));
    } else if (e.keyword === 'type' && !result.decodeError) {
      result.decodeError = decodeMessage(rt, obj, e.instancePath);
    }
  }
  return result;
}
