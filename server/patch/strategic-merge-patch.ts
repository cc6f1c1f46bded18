// Strategic merge patch (application/strategic-merge-patch+json) for built-in types, driven by the
// type's schema: a list whose field says x-kubernetes-patch-strategy `merge` merges — maps by the
// field's x-kubernetes-patch-merge-key, scalars as a set — and any other list is replaced, as a
// merge patch would; `retainKeys` lets `$retainKeys` clear the keys it does not name.
// Directives (k8s.io/apimachinery's strategicpatch): `$patch: replace|delete|merge` in a map or a
// list item, `$retainKeys`, `$deleteFromPrimitiveList/<field>`, `$setElementOrder/<field>`.
import { errors } from '../api/errors.js';
import { getOwn, setOwn } from '../api/object.js';
import { fieldSchema, itemSchema, patchMergeKey, patchStrategies, type SchemaNode } from '../schema/navigate.js';
import { isObject } from './merge-patch.js';

const deleteFromPrimitiveList = '$deleteFromPrimitiveList/';
const setElementOrder = '$setElementOrder/';

/** `schema` is the object's type (schemaFor(rt)); without one, every list is replaced. */
export function applyStrategicMergePatch(original: unknown, patch: unknown, schema?: SchemaNode): unknown {
  if (!isObject(patch)) throw errors.badRequest('strategic merge patch must be a JSON object');
  return mergeMap(isObject(original) ? original : {}, patch, schema);
}

function mergeMap(original: Record<string, unknown>, patch: Record<string, unknown>, schema: SchemaNode): Record<string, unknown> {
  const directive = getOwn(patch, '$patch');
  if (directive === 'replace') {
    const { $patch: _p, ...rest } = patch;
    void _p;
    return stripDirectives(rest) as Record<string, unknown>;
  }
  if (directive === 'delete') return {};
  // kube's handleDirectiveInMergeMap: any other $patch in a map is an error (kube answers it with a
  // reasonless 500); the client sent it, so it is a 400 here, with kube's message.
  if (directive !== undefined) throw errors.badRequest(`unknown patch type: ${goValue(directive)} in map: ${goValue(patch)}`);
  const out: Record<string, unknown> = { ...original };
  const retain = getOwn(patch, '$retainKeys');
  const retainKeys = Array.isArray(retain) ? new Set(retain.map(String)) : undefined;
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith(setElementOrder)) continue;
    if (k.startsWith(deleteFromPrimitiveList)) {
      const name = k.slice(deleteFromPrimitiveList.length);
      if (!Array.isArray(v)) throw errors.badRequest('invalid patch: $deleteFromPrimitiveList must be a list');
      const drop = new Set(v.map((x) => JSON.stringify(x)));
      const list = getOwn(out, name);
      if (Array.isArray(list)) setOwn(out, name, list.filter((x) => !drop.has(JSON.stringify(x))));
      continue;
    }
    if (v === null) {
      delete out[k];
      continue;
    }
    const cur = getOwn(out, k);
    const fs = fieldSchema(schema, k);
    if (isObject(v)) {
      // A map whose field says `replace` is replaced, not merged.
      const replace = patchStrategies(fs).includes('replace');
      setOwn(out, k, replace ? stripDirectives(v) : mergeMap(isObject(cur) ? cur : {}, v, fs));
    } else if (Array.isArray(v)) {
      setOwn(out, k, mergeList(Array.isArray(cur) ? cur : undefined, v, fs));
    } else {
      setOwn(out, k, v);
    }
  }
  for (const [k, order] of Object.entries(patch)) {
    if (!k.startsWith(setElementOrder) || !Array.isArray(order)) continue;
    const name = k.slice(setElementOrder.length);
    const list = getOwn(out, name);
    if (Array.isArray(list)) setOwn(out, name, ordered(list, order, patchMergeKey(fieldSchema(schema, name))));
  }
  if (retainKeys) for (const k of Object.keys(out)) if (!retainKeys.has(k) && !Object.hasOwn(patch, k)) delete out[k];
  return out;
}

function mergeList(original: unknown[] | undefined, patch: unknown[], schema: SchemaNode): unknown[] {
  const directive = (p: unknown) => (isObject(p) ? getOwn(p, '$patch') : undefined);
  if (patch.some((p) => directive(p) === 'replace')) {
    return patch.filter((p) => directive(p) !== 'replace').map(stripDirectives);
  }
  if (!patchStrategies(schema).includes('merge')) return patch.filter((p) => directive(p) !== 'delete').map(stripDirectives);
  const key = patchMergeKey(schema);
  // Scalars merge as a set: the original's, then the patch's not already there (kube's deduplicateScalars).
  if (!patch.some(isObject) && !(original ?? []).some(isObject)) {
    const out = [...(original ?? [])];
    for (const p of patch) if (!out.some((o) => JSON.stringify(o) === JSON.stringify(p))) out.push(p);
    return out;
  }
  if (!key) return patch.filter((p) => directive(p) !== 'delete').map(stripDirectives);
  const out = [...(original ?? [])];
  const items = itemSchema(schema);
  for (const p of patch) {
    if (!isObject(p)) continue;
    const idx = out.findIndex((o) => isObject(o) && getOwn(o, key) === getOwn(p, key));
    if (directive(p) === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = mergeMap(out[idx] as Record<string, unknown>, p, items);
    else out.push(mergeMap({}, p, items));
  }
  return out;
}

/**
 * `$setElementOrder`: the items it names take, in its order, the places those items hold; the
 * others stay where they are (kube's normalizeElementOrder, for the common case).
 */
function ordered(list: unknown[], order: unknown[], key: string | undefined): unknown[] {
  const id = (v: unknown) => JSON.stringify(key && isObject(v) ? getOwn(v, key) : v);
  const rank = new Map<string, number>();
  order.forEach((o, i) => rank.set(id(o), i));
  const slots: number[] = [];
  const named: unknown[] = [];
  list.forEach((item, i) => {
    if (rank.has(id(item))) {
      slots.push(i);
      named.push(item);
    }
  });
  named.sort((a, b) => rank.get(id(a))! - rank.get(id(b))!);
  const out = [...list];
  slots.forEach((slot, i) => {
    out[slot] = named[i];
  });
  return out;
}

function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isObject(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith('$')) setOwn(out, k, stripDirectives(x));
  return out;
}

/** A decoded JSON value as Go's %v prints it: `map[$patch:bogus]`, keys sorted. */
function goValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (typeof v === 'object') return `map[${Object.keys(v).sort().map((k) => `${k}:${goValue((v as Record<string, unknown>)[k])}`).join(' ')}]`;
  return String(v);
}
