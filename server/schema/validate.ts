// Schema validation of a decoded object against its OpenAPI definition, with ajv: type mismatches
// become kube-apiserver's decode errors (400), missing required fields 422 causes, and unknown
// fields are reported for fieldValidation=Strict|Warn. One validator per definition, compiled on
// first use and kept.
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import { type FieldError, field } from '../api/errors.js';
import { int64Literal, withFloatIntegers } from '../api/json.js';
import type { KubeObject } from '../api/object.js';
import type { ResourceType } from '../registry/types.js';
import { builtinDefinitions, quantityDefinition, refName, type Schema } from './definitions.js';
import { base64Error, rfc3339Error } from './go-formats.js';
import { goRegExpEngine } from '../validation/go-regexp.js';

const Ajv = AjvModule as unknown as typeof AjvModule.default;

/** What a schema check needs of a type: its kind and version for messages, its OpenAPI definition. */
export type SchemaTarget = Pick<ResourceType, 'kind' | 'version' | 'definition'> & Partial<Pick<ResourceType, 'group'>>;

export interface SchemaResult {
  /** A type mismatch; kube-apiserver answers these 400 BadRequest when it decodes the body. */
  decodeError?: string;
  /** Required fields: 422 Invalid causes. */
  causes: FieldError[];
  /** Paths of fields the schema does not know (`spec.foo`), for fieldValidation=Strict|Warn. */
  unknownFields: string[];
}

/** A schema check for the decode step: the result, and the unknown fields as path segments for pruning. */
export interface DecodeCheck extends SchemaResult {
  unknownPaths: string[][];
}

const rootId = 'k8s';
const int32Range = { minimum: -2147483648, maximum: 2147483647 };
const int64Range = { minimum: -9223372036854775808, maximum: 9223372036854775807 };
let ajv: InstanceType<typeof Ajv> | undefined;
const compiled = new Map<string, ValidateFunction | null>();

/** A Quantity decodes from a string or a number (its v2 definition only says string). */
const quantity = { type: ['string', 'number'] } as unknown as Schema;

/** The definition as a validating schema: closed objects (so unknown fields show), int-or-string and Quantity as either. */
function strict(s: Schema): Schema {
  if (s.format === 'int-or-string' || s['x-kubernetes-int-or-string']) return { type: ['integer', 'string'] } as unknown as Schema;
  if (s.format === 'quantity') return { type: ['string', 'number'] } as unknown as Schema;
  if (s.$ref) return { $ref: s.$ref };
  const out: Schema = {};
  if (s.type) out.type = s.type;
  // Go's integer types: a number outside them is a decode error, as encoding/json reports it.
  if (s.type === 'integer') Object.assign(out, s.format === 'int64' ? int64Range : int32Range);
  // []byte and metav1.Time: strings Go decodes further (base64, RFC 3339); a bad one is a decode error.
  if (s.type === 'string' && s.format === 'byte') (out as Record<string, unknown>).goBase64 = true;
  if (s.type === 'string' && s.format === 'date-time') (out as Record<string, unknown>).goTime = true;
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
  ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false, addUsedSchema: false, code: { regExp: goRegExpEngine } });
  for (const keyword of Object.keys(goFormats)) {
    ajv.addKeyword({ keyword, type: 'string', schemaType: 'boolean', errors: false, validate: (_: boolean, data: string) => goFormats[keyword](data) === undefined });
  }
  const definitions: Record<string, Schema> = {};
  for (const [name, def] of Object.entries(builtinDefinitions())) {
    definitions[name] = name === quantityDefinition ? quantity : strict(withByteMaps(name, withoutUnenforcedRequired(name, def)));
  }
  ajv.addSchema({ $id: rootId, definitions });
  return ajv;
}

/**
 * Definitions whose OpenAPI `required` list kube-apiserver does not enforce: it only says the Go field
 * has no omitempty, and no validation checks it. These are the status a kubelet (or kwok) reports for
 * its node and pods, and a CRD's status conditions (ValidateCustomResourceDefinitionStatus checks the
 * accepted names only); kube stores what is missing as the zero value (checked against kube 1.35).
 */
const unenforcedRequired = new Set([...['NodeSystemInfo', 'NodeCondition', 'NodeAddress', 'DaemonEndpoint', 'AttachedVolume',
  'ContainerStatus', 'ContainerStateTerminated', 'PodCondition'].map((k) => `io.k8s.api.core.v1.${k}`),
'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionCondition']);
// flowcontrol's required fields are checked by its validation, with its own messages.
for (const k of ['FlowDistinguisherMethod', 'FlowSchemaSpec', 'GroupSubject', 'LimitResponse', 'NonResourcePolicyRule', 'PolicyRulesWithSubjects', 'PriorityLevelConfigurationReference',
  'PriorityLevelConfigurationSpec', 'ResourcePolicyRule', 'ServiceAccountSubject', 'Subject', 'UserSubject']) unenforcedRequired.add(`io.k8s.api.flowcontrol.v1.${k}`);

function withoutUnenforcedRequired(name: string, def: Schema): Schema {
  if (!unenforcedRequired.has(name) || !def.required) return def;
  const { required: _dropped, ...rest } = def;
  return rest;
}

/** The map[string][]byte fields (the generated definitions lose the byte format of map values). */
const byteMaps: Record<string, string> = { 'io.k8s.api.core.v1.ConfigMap': 'binaryData', 'io.k8s.api.core.v1.Secret': 'data' };

function withByteMaps(name: string, def: Schema): Schema {
  const prop = byteMaps[name];
  if (!prop || !def.properties?.[prop]) return def;
  return { ...def, properties: { ...def.properties, [prop]: { ...def.properties[prop], additionalProperties: { type: 'string', format: 'byte' } } } };
}

/** Keywords for the string formats Go decodes further, each giving Go's error. */
const goFormats: Record<string, (value: string) => string | undefined> = { goBase64: base64Error, goTime: rfc3339Error };

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
    if (name === quantityDefinition) return 'resource.Quantity';
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
  if (typeof v === 'bigint') return 'number';
  return typeof v;
}

function deref(s: Schema | undefined): Schema | undefined {
  return s?.$ref ? builtinDefinitions()[refName(s.$ref)] : s;
}

/**
 * Go's "cannot unmarshal" message for a type error at instancePath: the struct holding the last
 * field, the path of struct fields (no indices or map keys, as encoding/json writes it) and the Go type.
 */
function decodeMessage(rt: SchemaTarget, obj: unknown, path: string[], literal?: string): string {
  const at = schemaAt(rt, path);
  let value: unknown = obj;
  for (const seg of path) value = value !== null && typeof value === 'object' && Object.hasOwn(value, seg) ? (value as Record<string, unknown>)[seg] : undefined;
  // encoding/json names the literal only when a number does not fit a numeric field.
  const numeric = at.schema && ['integer', 'number'].includes(deref(at.schema)?.type as string);
  const kind = (typeof value === 'number' || typeof value === 'bigint') && numeric ? `number ${literal ?? value}` : jsonKind(value);
  return `${rt.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: json: cannot unmarshal ${kind} into Go struct field ${at.struct}.${at.fields.join('.')} of type ${goType(at.schema)}`;
}

/** The schema at a path, the Go struct holding its last field and the struct-field path; `known` false past an unknown field. */
function schemaAt(rt: SchemaTarget, path: string[]): { schema: Schema | undefined; struct: string; fields: string[]; known: boolean } {
  let struct = rt.kind;
  let schema: Schema | undefined = { $ref: `#/definitions/${rt.definition}` };
  const fields: string[] = [];
  let known = true;
  for (const seg of path) {
    const s = deref(schema);
    if (s?.properties) {
      if (schema?.$ref) struct = refName(schema.$ref).slice(refName(schema.$ref).lastIndexOf('.') + 1);
      fields.push(seg);
      const next: Schema | undefined = Object.hasOwn(s.properties, seg) ? s.properties[seg] : undefined;
      if (!next && s.additionalProperties === undefined && !s['x-kubernetes-preserve-unknown-fields']) known = false;
      schema = next;
    } else if (s?.type === 'array') schema = s.items;
    else if (s?.additionalProperties && typeof s.additionalProperties === 'object') schema = s.additionalProperties;
    else schema = undefined;
    if (!known) break;
  }
  return { schema, struct, fields, known };
}

/**
 * A number literal JavaScript cannot hold as a number (1e309, integers beyond 2^53): kube's decode
 * error where the field is an int32, int64 or float64 kube would refuse it in; nothing where kube
 * keeps it (an int64 within range and untyped JSON keep the digits, as bigint; a bigger integer in
 * untyped JSON is a float64 as in Go) or where the decode drops it (unknown); a refusal of ours
 * for a literal beyond float64 in untyped JSON.
 */
export function unsafeNumberError(rt: SchemaTarget, obj: unknown, path: string[], literal: string): string | undefined {
  const at = schemaAt(rt, path);
  if (!at.known) return undefined;
  const s = deref(at.schema);
  const finite = Number.isFinite(Number(literal));
  if (s?.type === 'number') return finite ? undefined : decodeMessage(rt, obj, path, literal); // float64 rounds in Go too
  if (s?.type === 'integer') return s.format === 'int64' && int64Literal(literal) !== undefined ? undefined : decodeMessage(rt, obj, path, literal);
  if (finite) return undefined; // untyped, or a type the schema check refuses with kube's words
  return `${rt.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: json: number ${literal} at ${path.join('.') || '(root)'} cannot be represented exactly by this server (integers beyond 2^53 and numbers beyond float64)`;
}

/** A fraction or exponent literal (`1.0`, `1e2`) where the schema wants an integer: encoding/json's refusal, else undefined. */
export function floatLiteralError(rt: SchemaTarget, obj: unknown, path: string[], literal: string): string | undefined {
  const at = schemaAt(rt, path);
  if (!at.known || deref(at.schema)?.type !== 'integer') return undefined;
  return decodeMessage(rt, obj, path, literal);
}

export function validateAgainstSchema(rt: SchemaTarget, obj: KubeObject): SchemaResult {
  const { unknownPaths: _paths, ...result } = checkForDecode(rt, obj);
  void _paths;
  return result;
}

/** Checks of types whose schema is known only at run time (custom resources), by definition name. */
const runtimeChecks = new Map<string, (obj: KubeObject) => DecodeCheck>();

/** True for a definition known only at run time (a custom resource's). */
export function isRuntimeDefinition(definition: string): boolean {
  return runtimeChecks.has(definition);
}

/** Installs (or, with undefined, removes) the check for a definition no built-in schema has. */
export function registerSchemaCheck(definition: string, check: ((obj: KubeObject) => DecodeCheck) | undefined): void {
  if (check) runtimeChecks.set(definition, check);
  else runtimeChecks.delete(definition);
}

export function checkForDecode(rt: SchemaTarget, obj: KubeObject): DecodeCheck {
  const runtime = runtimeChecks.get(rt.definition);
  if (runtime) return runtime(obj);
  const result: DecodeCheck = { causes: [], unknownFields: [], unknownPaths: [] };
  const validate = validatorFor(rt.definition);
  if (!validate || validate(obj)) return result;
  // ajv knows no bigint: an int64 beyond 2^53 is checked as the float64 kube's validation compares.
  const floats = withFloatIntegers(obj);
  if (floats !== obj && validate(floats)) return result;
  for (const e of (validate.errors ?? []) as ErrorObject[]) {
    if (e.keyword === 'additionalProperties') {
      const name = (e.params as { additionalProperty: string }).additionalProperty;
      result.unknownFields.push(fieldPath(e.instancePath, name));
      result.unknownPaths.push([...segments(e.instancePath), name]);
    } else if (e.keyword === 'required') {
      result.causes.push(field.required(fieldPath(e.instancePath, (e.params as { missingProperty: string }).missingProperty)));
    } else if (Object.hasOwn(goFormats, e.keyword) && !result.decodeError) {
      const message = goFormats[e.keyword](String(valueAt(obj, segments(e.instancePath))));
      if (message) result.decodeError = `${rt.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: ${message}`;
    } else if ((e.keyword === 'type' || e.keyword === 'minimum' || e.keyword === 'maximum') && !result.decodeError) {
      // A JSON null is the zero value to kube's typed decoding, never a type error.
      if (e.keyword === 'type' && valueAt(obj, segments(e.instancePath)) === null) continue;
      result.decodeError = decodeMessage(rt, obj, segments(e.instancePath));
    }
  }
  return result;
}

function valueAt(obj: unknown, path: string[]): unknown {
  let cur = obj;
  for (const seg of path) cur = cur !== null && typeof cur === 'object' && Object.hasOwn(cur, seg) ? (cur as Record<string, unknown>)[seg] : undefined;
  return cur;
}

/** Drops the fields the schema does not know, as kube's decoding into typed objects does. */
export function pruneUnknownFields(obj: unknown, paths: string[][]): void {
  for (const path of paths) {
    const parent = valueAt(obj, path.slice(0, -1));
    if (parent !== null && typeof parent === 'object' && !Array.isArray(parent)) delete (parent as Record<string, unknown>)[path[path.length - 1]];
  }
}
