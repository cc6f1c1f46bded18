// Walking a type's schema field by field, for the code that merges by it (strategic merge patch,
// server-side apply): what a field's value is, and the x-kubernetes-* extensions that say how lists
// and maps merge. A schema is a built-in definition (swagger 2.0, refs into the built-ins) or a
// custom resource's structural OpenAPI v3 schema (no refs); no schema at all is kube's "deduced"
// type: maps merge key by key, lists are atomic.
import type { ResourceType } from '../registry/types.js';
import { builtinDefinitions, refName, type Schema } from './definitions.js';

/** A node of a schema, refs resolved; undefined where the type says nothing (untyped). */
export type SchemaNode = Schema | undefined;

export type ListType = 'atomic' | 'set' | 'map';

/** The schema of objects of a type: the built-in definition, or the custom resource's schema. */
export function schemaFor(rt: Pick<ResourceType, 'definition' | 'schema'>): SchemaNode {
  if (rt.schema) return rt.schema as Schema;
  return builtinDefinitions()[rt.definition] ? { $ref: `#/definitions/${rt.definition}` } : undefined;
}

/**
 * The schema with its ref followed (swagger's `$ref`, OpenAPI 3's lone `allOf` ref); the referring
 * property's own extensions win, as kube's patch tags sit on the field, not on the type.
 */
export function resolve(s: SchemaNode): SchemaNode {
  if (!s) return undefined;
  // Schema nodes are shared and never change: each is resolved once (every write walks them).
  if (resolved.has(s)) return resolved.get(s);
  const out = resolveOnce(s);
  resolved.set(s, out);
  if (out) resolved.set(out, out);
  return out;
}

const resolved = new WeakMap<Schema, SchemaNode>();

function resolveOnce(s: Schema): SchemaNode {
  let out: SchemaNode = s;
  for (let depth = 0; out && depth < 8; depth++) {
    const ref: string | undefined = out.$ref ?? (Array.isArray(out.allOf) && out.allOf.length === 1 ? (out.allOf[0] as Schema).$ref : undefined);
    if (!ref) return out;
    const target: Schema | undefined = builtinDefinitions()[refName(ref)];
    if (!target) return undefined;
    const { $ref: _r, allOf: _a, ...own } = out;
    void _r;
    void _a;
    out = { ...target, ...own };
  }
  return out;
}

/** The schema of a map's or object's field `key`. */
export function fieldSchema(s: SchemaNode, key: string): SchemaNode {
  const r = resolve(s);
  if (!r) return undefined;
  if (r.properties && Object.hasOwn(r.properties, key)) return resolve(r.properties[key]);
  if (r.additionalProperties && typeof r.additionalProperties === 'object') return resolve(r.additionalProperties);
  return undefined;
}

/** The schema of a list's items. */
export function itemSchema(s: SchemaNode): SchemaNode {
  return resolve(resolve(s)?.items);
}

/** x-kubernetes-list-type; a list without one is atomic (kube's default for server-side apply). */
export function listType(s: SchemaNode): ListType {
  const t = resolve(s)?.['x-kubernetes-list-type'];
  return t === 'set' || t === 'map' ? t : 'atomic';
}

export function listMapKeys(s: SchemaNode): string[] {
  const k = resolve(s)?.['x-kubernetes-list-map-keys'];
  return Array.isArray(k) ? k.map(String) : [];
}

/**
 * A map (an object with fields, or a map of values) is atomic when x-kubernetes-map-type says so
 * (granular by default). A struct with `x-kubernetes-map-type: atomic` replaces as a whole.
 */
export function isAtomicMap(s: SchemaNode): boolean {
  const r = resolve(s);
  return r?.['x-kubernetes-map-type'] === 'atomic';
}

/** Strategic merge: x-kubernetes-patch-strategy (`merge`, `replace`, `retainKeys`, `merge,retainKeys`). */
export function patchStrategies(s: SchemaNode): string[] {
  const v = resolve(s)?.['x-kubernetes-patch-strategy'];
  return typeof v === 'string' ? v.split(',') : [];
}

export function patchMergeKey(s: SchemaNode): string | undefined {
  const v = resolve(s)?.['x-kubernetes-patch-merge-key'];
  return typeof v === 'string' ? v : undefined;
}

/** Whether the schema says this value is a scalar (string, number, integer, boolean, int-or-string, Quantity). */
export function isScalar(s: SchemaNode): boolean {
  const r = resolve(s);
  if (!r) return false;
  if (r.properties || r.additionalProperties || r.items) return false;
  return r.type === 'string' || r.type === 'integer' || r.type === 'number' || r.type === 'boolean' || r['x-kubernetes-int-or-string'] === true;
}
