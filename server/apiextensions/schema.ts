// A custom resource version's openAPIV3Schema at work: value validation with ajv (kube-openapi's
// messages), pruning of fields the schema does not know, defaulting, and the checks ajv cannot
// express (embedded resources, list-type set/map uniqueness). One compiled schema per CRD version.
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { FieldError, field } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import { clone } from '../api/object.js';
import { withFloatIntegers } from '../api/json.js';
import type { DecodeCheck } from '../schema/validate.js';
import { fieldPath } from '../schema/validate.js';
import { builtinDefinitions } from '../schema/definitions.js';
import { goRegExpEngine } from '../validation/go-regexp.js';

const Ajv = AjvModule as unknown as typeof AjvModule.default;
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/** One openAPIV3Schema node, as the CRD carries it. */
export type JSONSchemaProps = {
  type?: string;
  format?: string;
  nullable?: boolean;
  properties?: Record<string, JSONSchemaProps>;
  additionalProperties?: JSONSchemaProps | boolean;
  items?: JSONSchemaProps;
  required?: string[];
  default?: unknown;
  enum?: unknown[];
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-validations'?: ValidationRule[];
  [key: string]: unknown;
};

export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

/** Formats kube's CRD validation knows and ajv-formats checks the same way; others are not checked, as in kube. */
const checkedFormats = new Set(['int32', 'int64', 'float', 'double', 'byte', 'date', 'date-time', 'uuid', 'email', 'hostname', 'ipv4', 'ipv6', 'uri']);
/** Value keywords copied to ajv as they are. */
const valueKeywords = ['enum', 'pattern', 'minimum', 'maximum', 'multipleOf', 'minLength', 'maxLength', 'minItems', 'maxItems',
  'uniqueItems', 'minProperties', 'maxProperties', 'required'];

let ajv: InstanceType<typeof Ajv> | undefined;

function instance(): InstanceType<typeof Ajv> {
  if (ajv) return ajv;
  ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false, addUsedSchema: false, code: { regExp: goRegExpEngine } });
  addFormats(ajv);
  return ajv;
}

/** openAPIV3Schema -> an ajv (draft-07) schema; root metadata, apiVersion and kind are ObjectMeta's business. */
function toAjv(s: JSONSchemaProps, root = false): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (s['x-kubernetes-int-or-string']) out.type = s.nullable ? ['integer', 'string', 'null'] : ['integer', 'string'];
  else if (s.type) out.type = s.nullable ? [s.type, 'null'] : s.type;
  if (s.format && checkedFormats.has(s.format) && s.type === 'string') out.format = s.format;
  for (const k of valueKeywords) if (s[k] !== undefined) out[k] = s[k];
  // OpenAPI v3.0's boolean exclusive bounds are draft-07's numeric ones.
  if (s.exclusiveMinimum === true && s.minimum !== undefined) { out.exclusiveMinimum = s.minimum; delete out.minimum; }
  if (s.exclusiveMaximum === true && s.maximum !== undefined) { out.exclusiveMaximum = s.maximum; delete out.maximum; }
  if (s.properties) {
    const props: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(s.properties)) if (!(root && ['metadata', 'apiVersion', 'kind'].includes(k))) props[k] = toAjv(v);
    out.properties = props;
  }
  if (s.additionalProperties && typeof s.additionalProperties === 'object') out.additionalProperties = toAjv(s.additionalProperties);
  if (s.items) out.items = toAjv(s.items);
  for (const k of ['allOf', 'anyOf', 'oneOf'] as const) if (Array.isArray(s[k])) out[k] = (s[k] as JSONSchemaProps[]).map((x) => toAjv(x));
  if (s.not && typeof s.not === 'object') out.not = toAjv(s.not as JSONSchemaProps);
  return out;
}

function segments(instancePath: string): string[] {
  return instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function valueAt(obj: unknown, path: string[]): unknown {
  let cur = obj;
  for (const seg of path) cur = cur !== null && typeof cur === 'object' && Object.hasOwn(cur, seg) ? (cur as Record<string, unknown>)[seg] : undefined;
  return cur;
}

/** A JSON value's type name as kube-openapi reports it. */
export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** An ajv error as kube's field error (k8s.io/apiextensions-apiserver's kubeOpenAPIResultToFieldErrors). */
function toFieldError(e: ErrorObject, obj: unknown): FieldError | undefined {
  const p = e.params as Record<string, unknown>;
  const value = valueAt(obj, segments(e.instancePath));
  const path = fieldPath(e.instancePath);
  const inBody = `${path} in body`;
  switch (e.keyword) {
    case 'required': return field.required(fieldPath(e.instancePath, String(p.missingProperty)));
    case 'type': return field.typeInvalid(path, jsonType(value), `${inBody} must be of type ${[p.type].flat().filter((t) => t !== 'null').join('/')}: ${JSON.stringify(jsonType(value))}`);
    case 'format': return field.typeInvalid(path, value, `${inBody} must be of type ${String(p.format)}: ${JSON.stringify(value)}`);
    case 'enum': return field.notSupported(path, value, ((p.allowedValues as unknown[]) ?? []).map((v) => (typeof v === 'string' ? v : JSON.stringify(v))));
    case 'pattern': return field.invalid(path, value, `${inBody} should match '${String(p.pattern)}'`);
    case 'maximum': return field.invalid(path, value, `${inBody} should be less than or equal to ${String(p.limit)}`);
    case 'minimum': return field.invalid(path, value, `${inBody} should be greater than or equal to ${String(p.limit)}`);
    case 'exclusiveMaximum': return field.invalid(path, value, `${inBody} should be less than ${String(p.limit)}`);
    case 'exclusiveMinimum': return field.invalid(path, value, `${inBody} should be greater than ${String(p.limit)}`);
    case 'multipleOf': return field.invalid(path, value, `${inBody} should be a multiple of ${String(p.multipleOf)}`);
    case 'maxLength': return field.tooLong(path, '', Number(p.limit));
    case 'minLength': return field.invalid(path, value, `${inBody} should be at least ${String(p.limit)} chars long`);
    case 'maxItems': return new FieldError('FieldValueTooMany', path, (value as unknown[]).length, `${(value as unknown[]).length}: must have at most ${String(p.limit)} items`);
    case 'minItems': return field.invalid(path, value, `${inBody} should have at least ${String(p.limit)} items`);
    case 'uniqueItems': return field.duplicate(`${path}[${String(p.j)}]`, (value as unknown[])[Number(p.j)]);
    case 'maxProperties': return field.invalid(path, value, `${inBody} should have at most ${String(p.limit)} properties`);
    case 'minProperties': return field.invalid(path, value, `${inBody} should have at least ${String(p.limit)} properties`);
    case 'anyOf': case 'oneOf': case 'allOf': case 'not': case 'if': return undefined; // their branches' errors say more
    default: return field.invalid(path, value, `${inBody} ${e.message ?? 'is invalid'}`);
  }
}

/** One version's schema, compiled. */
export class CustomResourceSchema {
  private readonly validator: ValidateFunction;

  constructor(readonly root: JSONSchemaProps) {
    this.validator = instance().compile(toAjv(root, true));
  }

  /** The decode step's check: value errors as causes, unknown fields for pruning and fieldValidation. */
  check(obj: KubeObject): DecodeCheck {
    const result: DecodeCheck = { causes: [], unknownFields: [], unknownPaths: [] };
    // ajv knows no bigint: an int64 beyond 2^53 is checked as the float64 kube's validation compares.
    let checked: unknown = obj;
    let valid = this.validator(obj);
    if (!valid && (checked = withFloatIntegers(obj)) !== obj) valid = this.validator(checked);
    if (!valid) {
      for (const e of this.validator.errors ?? []) {
        const fe = toFieldError(e, checked);
        if (fe) result.causes.push(fe);
      }
    }
    walkUnknown(this.root, obj, [], true, result);
    // kube's pruning reports the unknown fields of a custom resource sorted by path.
    const order = result.unknownFields.map((f, i) => i).sort((a, b) => (result.unknownFields[a] < result.unknownFields[b] ? -1 : result.unknownFields[a] > result.unknownFields[b] ? 1 : 0));
    result.unknownFields = order.map((i) => result.unknownFields[i]);
    result.unknownPaths = order.map((i) => result.unknownPaths[i]);
    result.causes.push(...structuralValueErrors(this.root, obj, []));
    return result;
  }

  /** Schema defaults, as kube applies them on decode and on read from storage. */
  applyDefaults(obj: KubeObject): void {
    applyDefaults(this.root, obj);
  }
}

let objectMetaFields: Set<string> | undefined;

/** A root or embedded resource's metadata is an ObjectMeta: kube's decoding reports (and drops) the fields it has not. */
function unknownMetadataFields(meta: unknown, path: string[], out: DecodeCheck): void {
  if (meta === null || typeof meta !== 'object' || Array.isArray(meta)) return;
  objectMetaFields ??= new Set(Object.keys(builtinDefinitions()['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']?.properties ?? {}));
  for (const k of Object.keys(meta)) {
    if (objectMetaFields.has(k)) continue;
    out.unknownPaths.push([...path, k]);
    out.unknownFields.push([...path, k].join('.'));
  }
}

/** Fields the schema does not know: walk known properties, collect the rest unless preserved. */
function walkUnknown(s: JSONSchemaProps | undefined, v: unknown, path: string[], root: boolean, out: DecodeCheck): void {
  if (!s || v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) {
    if (s.items) v.forEach((x, i) => walkUnknown(s.items, x, [...path, String(i)], false, out));
    return;
  }
  const o = v as Record<string, unknown>;
  const implicit = root || s['x-kubernetes-embedded-resource'] ? ['apiVersion', 'kind', 'metadata'] : [];
  for (const [k, child] of Object.entries(o)) {
    if (k === 'metadata' && implicit.length) unknownMetadataFields(child, [...path, k], out);
    if (implicit.includes(k)) continue;
    const known = s.properties?.[k];
    if (known) walkUnknown(known, child, [...path, k], false, out);
    else if (s.additionalProperties && typeof s.additionalProperties === 'object') walkUnknown(s.additionalProperties, child, [...path, k], false, out);
    else if (!s['x-kubernetes-preserve-unknown-fields'] && s.additionalProperties !== true) {
      out.unknownPaths.push([...path, k]);
      out.unknownFields.push(fieldPath('/' + [...path, k].map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')));
    }
  }
}

/** What ajv does not check: embedded resources' apiVersion and kind, list-type set and map uniqueness. */
function structuralValueErrors(s: JSONSchemaProps | undefined, v: unknown, path: string[]): FieldError[] {
  if (!s || v === null || typeof v !== 'object') return [];
  const at = (extra?: string) => fieldPath('/' + path.join('/'), extra);
  const errs: FieldError[] = [];
  if (Array.isArray(v)) {
    const type = s['x-kubernetes-list-type'];
    if (type === 'map' || type === 'set') {
      const keys = s['x-kubernetes-list-map-keys'] ?? [];
      const seen = new Set<string>();
      v.forEach((x, i) => {
        const id = type === 'set' ? JSON.stringify(x) : JSON.stringify(keys.map((k) => (x as Record<string, unknown> | null)?.[k]));
        if (seen.has(id)) {
          const shown = type === 'set' ? x : Object.fromEntries(keys.map((k) => [k, (x as Record<string, unknown>)?.[k]]));
          errs.push(field.duplicate(`${at()}[${i}]`, shown));
        }
        seen.add(id);
      });
    }
    v.forEach((x, i) => errs.push(...structuralValueErrors(s.items, x, [...path, String(i)])));
    return errs;
  }
  const o = v as Record<string, unknown>;
  if (s['x-kubernetes-embedded-resource']) {
    for (const k of ['apiVersion', 'kind']) if (!o[k]) errs.push(field.required(at(k), 'must not be empty'));
  }
  for (const [k, child] of Object.entries(o)) {
    const cs = s.properties?.[k] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
    errs.push(...structuralValueErrors(cs, child, [...path, k]));
  }
  return errs;
}

function applyDefaults(s: JSONSchemaProps | undefined, v: unknown): void {
  if (!s || v === null || typeof v !== 'object') return;
  if (Array.isArray(v)) {
    for (const x of v) applyDefaults(s.items, x);
    return;
  }
  const o = v as Record<string, unknown>;
  for (const [k, ps] of Object.entries(s.properties ?? {})) {
    // A null for a field that may not be null is dropped so its default applies, as kube's structural defaulting.
    if (o[k] === null && !ps.nullable && ps.default !== undefined) delete o[k];
    if (o[k] === undefined && ps.default !== undefined) o[k] = clone(ps.default);
    applyDefaults(ps, o[k]);
  }
  if (s.additionalProperties && typeof s.additionalProperties === 'object') {
    for (const [k, x] of Object.entries(o)) if (!s.properties?.[k]) applyDefaults(s.additionalProperties, x);
  }
}

/** Defaults that their own schema refuses, as kube checks them on the CRD (messages relative to the default). */
export function defaultErrors(s: JSONSchemaProps | undefined, at: string): FieldError[] {
  if (!s || typeof s !== 'object') return [];
  const errs: FieldError[] = [];
  if (s.default !== undefined && s.default !== null) {
    const validate = instance().compile(toAjv(s));
    if (!validate(s.default)) {
      for (const e of validate.errors ?? []) {
        const fe = toFieldError(e, s.default);
        if (fe) errs.push(new FieldError(fe.type, `${at}.default`, fe.value, fe.detail));
      }
    }
  }
  for (const [k, v] of Object.entries(s.properties ?? {})) errs.push(...defaultErrors(v, `${at}.properties[${k}]`));
  if (s.items) errs.push(...defaultErrors(s.items, `${at}.items`));
  if (s.additionalProperties && typeof s.additionalProperties === 'object') errs.push(...defaultErrors(s.additionalProperties, `${at}.additionalProperties`));
  return errs;
}
