// Schema validation of a decoded object against its generated model, with ajv: type mismatches
// become kube-apiserver's decode errors (400), missing required fields 422 causes, and unknown
// fields are reported for fieldValidation=Strict|Warn.
import AjvModule, { type ErrorObject, type ValidateFunction } from 'ajv';
import { type FieldError, field } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import type { ResourceType } from '../registry/types.js';
import { type Model, modelForResource, models, parseType, shortName, type TypeRef } from './models.js';

const Ajv = AjvModule as unknown as typeof AjvModule.default;

export interface SchemaResult {
  /** A type mismatch; kube-apiserver answers these 400 BadRequest when it decodes the body. */
  decodeError?: string;
  /** Required fields: 422 Invalid causes. */
  causes: FieldError[];
  /** Paths of fields the schema does not know (`spec.foo`), for fieldValidation=Strict|Warn. */
  unknownFields: string[];
}

let ajv: InstanceType<typeof Ajv> | undefined;
const compiled = new Map<string, ValidateFunction>();

function jsonSchema(t: TypeRef): Record<string, unknown> {
  switch (t.kind) {
    case 'model': return { $ref: t.name };
    case 'array': return { type: 'array', items: jsonSchema(t.items) };
    case 'map': return { type: 'object', additionalProperties: jsonSchema(t.values) };
    default:
      switch (t.type) {
        case 'any': return {};
        case 'int-or-string': return { type: ['integer', 'string'] };
        case 'date-time': return { type: 'string' };
        default: return { type: t.type };
      }
  }
}

function instance(): InstanceType<typeof Ajv> {
  if (ajv) return ajv;
  ajv = new Ajv({ allErrors: true, strict: false, validateSchema: false, addUsedSchema: false });
  for (const [name, model] of Object.entries(models())) {
    const properties: Record<string, unknown> = {};
    for (const [prop, p] of Object.entries(model.properties)) properties[prop] = jsonSchema(parseType(p.type, p.format));
    ajv.addSchema({ $id: name, type: 'object', properties, required: model.required, additionalProperties: false }, name);
  }
  return ajv;
}

function validatorFor(cls: string): ValidateFunction {
  let v = compiled.get(cls);
  if (!v) {
    v = instance().getSchema(cls)!;
    compiled.set(cls, v);
  }
  return v;
}

/** `/spec/template/spec/containers/0/image` -> `spec.template.spec.containers[0].image`. */
export function fieldPath(instancePath: string, extra?: string): string {
  const parts = instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  let out = '';
  for (const p of parts) {
    if (/^\d+$/.test(p)) out += `[${p}]`;
    else out += out ? `.${p}` : p;
  }
  return out;
}

function goType(t: TypeRef): string {
  switch (t.kind) {
    case 'model': return `v1.${shortName(t.name)}`;
    case 'array': return `[]${goType(t.items)}`;
    case 'map': return `map[string]${goType(t.values)}`;
    default:
      switch (t.type) {
        case 'integer': return t.format === 'int64' ? 'int64' : 'int32';
        case 'number': return 'float64';
        case 'boolean': return 'bool';
        case 'int-or-string': return 'intstr.IntOrString';
        case 'date-time': return 'v1.Time';
        case 'any': return 'interface {}';
        default: return 'string';
      }
  }
}

function jsonTypeOf(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

/** Walks the model along an instance path: the struct that holds the last field, and that field's type. */
function locate(root: string, instancePath: string): { struct: string; type?: TypeRef } {
  const all = models();
  let struct = root;
  let current: TypeRef = { kind: 'model', name: root };
  for (const seg of instancePath.split('/').slice(1)) {
    if (current.kind === 'model') {
      struct = current.name;
      const p = (all[current.name] as Model | undefined)?.properties[seg];
      if (!p) return { struct };
      current = parseType(p.type, p.format);
    } else if (current.kind === 'array') current = current.items;
    else if (current.kind === 'map') current = current.values;
    else return { struct };
  }
  return { struct, type: current };
}

function valueAt(obj: unknown, instancePath: string): unknown {
  let cur = obj;
  for (const seg of instancePath.split('/').slice(1)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return cur;
}

export function validateAgainstSchema(rt: ResourceType, obj: KubeObject): SchemaResult {
  const result: SchemaResult = { causes: [], unknownFields: [] };
  const cls = modelForResource(rt);
  if (!cls) return result;
  const validate = validatorFor(cls);
  if (validate(obj)) return result;
  for (const e of (validate.errors ?? []) as ErrorObject[]) {
    if (e.keyword === 'additionalProperties') {
      result.unknownFields.push(fieldPath(e.instancePath, (e.params as { additionalProperty: string }).additionalProperty));
    } else if (e.keyword === 'required') {
      result.causes.push(field.required(fieldPath(e.instancePath, (e.params as { missingProperty: string }).missingProperty)));
    } else if (e.keyword === 'type' && !result.decodeError) {
      const { struct, type } = locate(cls, e.instancePath);
      const value = valueAt(obj, e.instancePath);
      result.decodeError = `${rt.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: json: cannot unmarshal ${jsonTypeOf(value)} into Go struct field ${shortName(struct)}.${fieldPath(e.instancePath)} of type ${type ? goType(type) : 'unknown'}`;
    }
  }
  return result;
}
