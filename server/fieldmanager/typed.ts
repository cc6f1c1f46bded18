// Objects seen through their schema, as structured-merge-diff's typed values: the set of fields a
// value sets, the comparison of two values, the merge of an applied configuration into the live
// object, and the removal of fields. How a node behaves comes from the schema (navigate.ts):
// a granular map merges per key, an atomic one (x-kubernetes-map-type: atomic) as a whole; a list is
// atomic unless x-kubernetes-list-type says `set` (items by value) or `map` (items by their map keys).
// Untyped values are kube's "deduced" type: maps granular, lists atomic.
import { getOwn, setOwn } from '../api/object.js';
import { builtinDefinitionsV3, refName, type Schema } from '../schema/definitions.js';
import { fieldSchema, isAtomicMap, itemSchema, listMapKeys, listType, resolve, type SchemaNode } from '../schema/navigate.js';
import { type FieldSet, emptySet, fieldElement, insert, keyElement, valueElement } from './fieldset.js';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** A map or struct merged field by field (not a leaf). */
function isGranularMap(v: unknown, s: SchemaNode): v is Obj {
  return isObj(v) && !isAtomicMap(s);
}

/** A list whose items are tracked one by one. */
function isGranularList(v: unknown, s: SchemaNode): v is unknown[] {
  return Array.isArray(v) && s !== undefined && listType(s) !== 'atomic';
}

/** A struct declared by the schema (Go's zero value serializes it: present even when "empty"). */
function isStruct(s: SchemaNode): boolean {
  const r = resolve(s);
  return Boolean(r?.properties) && !r?.additionalProperties;
}

/** The path element of a list item: `k:` with its map keys (defaults filled from the schema), or `v:` for a set. */
export function itemElement(item: unknown, list: SchemaNode): string {
  if (listType(list) === 'set') return valueElement(item);
  const keys: Obj = {};
  for (const k of listMapKeys(list)) {
    const v = isObj(item) ? getOwn(item, k) : undefined;
    const value = v === undefined ? keyDefault(list, k) : v;
    if (value !== undefined) setOwn(keys, k, value);
  }
  return keyElement(keys);
}

/** A map key's schema default (ContainerPort.protocol is "TCP"): only OpenAPI 3 documents carry them. */
function keyDefault(list: SchemaNode, key: string): unknown {
  const items = resolve(list)?.items as Schema | undefined;
  const inline = (items?.properties?.[key] as Schema | undefined)?.default;
  if (inline !== undefined) return inline;
  const ref = items?.$ref;
  if (!ref) return undefined;
  return (builtinDefinitionsV3()[refName(ref)]?.properties?.[key] as Schema | undefined)?.default;
}

// ---- the fields a value sets -------------------------------------------------------------------

/** structured-merge-diff's ToFieldSet: every leaf, list item, and empty or undeclared map entry. */
export function toFieldSet(value: unknown, s: SchemaNode): FieldSet {
  const out = emptySet();
  walkSet(value, s, [], out);
  return out;
}

function walkSet(v: unknown, s: SchemaNode, path: string[], out: FieldSet): void {
  if (isGranularMap(v, s)) {
    const declared = resolve(s)?.properties;
    for (const [k, val] of Object.entries(v)) {
      const p = [...path, fieldElement(k)];
      walkSet(val, fieldSchema(s, k), p, out);
      const isDeclared = declared !== undefined && Object.hasOwn(declared, k);
      if (val === null || (isObj(val) && !Object.keys(val).length) || !isDeclared) insert(out, p);
    }
    return;
  }
  if (isGranularList(v, s)) {
    const item = itemSchema(s);
    for (const it of v) {
      const p = [...path, itemElement(it, s)];
      walkSet(it, item, p, out);
      insert(out, p);
    }
    return;
  }
  if (path.length) insert(out, path);
}

// ---- comparison ---------------------------------------------------------------------------------

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** What changed from `lhs` to `rhs`: structured-merge-diff's Compare. */
export function compare(lhs: unknown, rhs: unknown, s: SchemaNode): Comparison {
  const c: Comparison = { added: emptySet(), modified: emptySet(), removed: emptySet() };
  walkCompare(lhs, rhs, s, [], c, true);
  return c;
}

function walkCompare(lhs: unknown, rhs: unknown, s: SchemaNode, path: string[], c: Comparison, structField: boolean): void {
  const lMap = isGranularMap(lhs, s);
  const rMap = isGranularMap(rhs, s);
  const lList = isGranularList(lhs, s);
  const rList = isGranularList(rhs, s);
  if ((lMap || lhs === undefined) && (rMap || rhs === undefined) && (lMap || rMap)) {
    const l = (lMap ? lhs : {}) as Obj;
    const r = (rMap ? rhs : {}) as Obj;
    for (const k of new Set([...Object.keys(l), ...Object.keys(r)])) {
      const fs = fieldSchema(s, k);
      walkCompare(getOwn(l, k), getOwn(r, k), fs, [...path, fieldElement(k)], c, true);
    }
    // A struct is there in Go's zero value: it is never added or removed by itself, a map is.
    if (path.length && !(structField && isStruct(s))) {
      if (lhs === undefined) insert(c.added, path);
      else if (rhs === undefined) insert(c.removed, path);
    }
    return;
  }
  if ((lList || lhs === undefined) && (rList || rhs === undefined) && (lList || rList)) {
    const item = itemSchema(s);
    const l = new Map<string, unknown>();
    const r = new Map<string, unknown>();
    for (const it of (lList ? lhs : []) as unknown[]) l.set(itemElement(it, s), it);
    for (const it of (rList ? rhs : []) as unknown[]) r.set(itemElement(it, s), it);
    for (const pe of new Set([...l.keys(), ...r.keys()])) walkCompare(l.get(pe), r.get(pe), item, [...path, pe], c, false);
    if (path.length) {
      if (lhs === undefined) insert(c.added, path);
      else if (rhs === undefined) insert(c.removed, path);
    }
    return;
  }
  if (!path.length) return;
  if (lhs === undefined && rhs !== undefined) insert(c.added, path);
  else if (rhs === undefined && lhs !== undefined) insert(c.removed, path);
  else if (JSON.stringify(canonical(lhs)) !== JSON.stringify(canonical(rhs))) insert(c.modified, path);
}

/** Key order does not make two maps differ. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (!isObj(v)) return v;
  const out: Obj = {};
  for (const k of Object.keys(v).sort()) setOwn(out, k, canonical(v[k]));
  return out;
}

// ---- merge ------------------------------------------------------------------------------------

/** The applied configuration merged into the live object: structured-merge-diff's Merge (config wins). */
export function merge(live: unknown, config: unknown, s: SchemaNode): unknown {
  if (config === undefined) return structuredClone(live);
  if (isGranularMap(config, s) && (live === undefined || isGranularMap(live, s))) {
    const out: Obj = live === undefined ? {} : structuredClone(live);
    for (const [k, v] of Object.entries(config)) {
      // A null in the configuration leaves the field unset (owned, with no value), as Go's decode would.
      if (v === null) delete out[k];
      else setOwn(out, k, merge(getOwn(live, k), v, fieldSchema(s, k)));
    }
    return out;
  }
  if (isGranularList(live, s) && isGranularList(config, s)) {
    const item = itemSchema(s);
    const fromConfig = new Map<string, unknown>();
    for (const it of config) fromConfig.set(itemElement(it, s), it);
    const out: unknown[] = [];
    const seen = new Set<string>();
    // Live order kept; items only the configuration has follow.
    for (const it of live) {
      const pe = itemElement(it, s);
      seen.add(pe);
      out.push(fromConfig.has(pe) ? merge(it, fromConfig.get(pe), item) : structuredClone(it));
    }
    for (const [pe, it] of fromConfig) if (!seen.has(pe)) out.push(structuredClone(it));
    return out;
  }
  return structuredClone(config);
}

// ---- removal -----------------------------------------------------------------------------------

/** Removes each member of `set` from the value (in place): fields a manager stopped applying. */
export function removeItems(value: unknown, set: FieldSet, s: SchemaNode): unknown {
  if (isGranularMap(value, s)) {
    for (const [pe, sub] of set.children) {
      if (!pe.startsWith('f:')) continue;
      const k = pe.slice(2);
      if (!Object.hasOwn(value, k)) continue;
      if (sub.self) delete value[k];
      else setOwn(value, k, removeItems(value[k], sub, fieldSchema(s, k)));
    }
    return value;
  }
  if (isGranularList(value, s)) {
    const item = itemSchema(s);
    const out: unknown[] = [];
    for (const it of value) {
      const sub = set.children.get(itemElement(it, s));
      if (sub?.self) continue;
      out.push(sub ? removeItems(it, sub, item) : it);
    }
    return out;
  }
  return value;
}
