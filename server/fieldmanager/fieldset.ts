// Sets of field paths, as server-side apply records who owns what (structured-merge-diff's
// fieldpath.Set), and their wire form in managedFields: kube's FieldsV1 encoding, a tree whose keys
// are path elements — `f:<field>`, `k:<JSON of a list item's map keys>`, `v:<JSON of a set item>`,
// `i:<index>` — where `{}` is a member leaf and `".": {}` marks a member that also has children.
import { errors } from '../api/errors.js';
import { parseExactJSON, stringifyJSON } from '../api/json.js';

/** A node of the tree: whether the path to here is a member, and the elements below it. */
export interface FieldSet {
  self: boolean;
  children: Map<string, FieldSet>;
}

export function emptySet(): FieldSet {
  return { self: false, children: new Map() };
}

export function isEmpty(s: FieldSet): boolean {
  if (s.self) return false;
  for (const c of s.children.values()) if (!isEmpty(c)) return false;
  return true;
}

/** Adds a path (path elements in FieldsV1 form) as a member. */
export function insert(s: FieldSet, path: readonly string[]): void {
  let node = s;
  for (const pe of path) {
    let next = node.children.get(pe);
    if (!next) {
      next = emptySet();
      node.children.set(pe, next);
    }
    node = next;
  }
  node.self = true;
}

export function has(s: FieldSet, path: readonly string[]): boolean {
  let node: FieldSet | undefined = s;
  for (const pe of path) {
    node = node.children.get(pe);
    if (!node) return false;
  }
  return node.self;
}

/** The node at `path`, if the tree reaches it. */
export function child(s: FieldSet, path: readonly string[]): FieldSet | undefined {
  let node: FieldSet | undefined = s;
  for (const pe of path) {
    node = node?.children.get(pe);
    if (!node) return undefined;
  }
  return node;
}

function combine(a: FieldSet | undefined, b: FieldSet | undefined, keep: (inA: boolean, inB: boolean) => boolean): FieldSet {
  const out: FieldSet = { self: keep(Boolean(a?.self), Boolean(b?.self)), children: new Map() };
  const keys = new Set([...(a?.children.keys() ?? []), ...(b?.children.keys() ?? [])]);
  for (const k of keys) {
    const c = combine(a?.children.get(k), b?.children.get(k), keep);
    // Children come back pruned: one with no member and no children is empty.
    if (c.self || c.children.size) out.children.set(k, c);
  }
  return out;
}

export function union(a: FieldSet, b: FieldSet): FieldSet {
  return combine(a, b, (x, y) => x || y);
}

/** Members of `a` that are not members of `b` (children of a member of `b` stay: kube's Difference). */
export function difference(a: FieldSet, b: FieldSet): FieldSet {
  return combine(a, b, (x, y) => x && !y);
}

export function intersection(a: FieldSet, b: FieldSet): FieldSet {
  return combine(a, b, (x, y) => x && y);
}

/** Every member path, in FieldsV1 order. */
export function paths(s: FieldSet, prefix: string[] = [], out: string[][] = []): string[][] {
  if (s.self && prefix.length) out.push(prefix);
  for (const k of sortedKeys(s)) paths(s.children.get(k)!, [...prefix, k], out);
  return out;
}

// ---- FieldsV1 ------------------------------------------------------------------------------

/** structured-merge-diff's PathElement order: fields, then keys, then values, then indexes. */
const kindOrder: Record<string, number> = { f: 0, k: 1, v: 2, i: 3 };

function comparePathElements(a: string, b: string): number {
  const ka = kindOrder[a[0]] ?? 4;
  const kb = kindOrder[b[0]] ?? 4;
  if (ka !== kb) return ka - kb;
  if (a[0] === 'i') return Number(a.slice(2)) - Number(b.slice(2));
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedKeys(s: FieldSet): string[] {
  return [...s.children.keys()].sort(comparePathElements);
}

/** The FieldsV1 JSON of a set (managedFields[].fieldsV1). */
export function toFieldsV1(s: FieldSet): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (s.self && s.children.size) out['.'] = {};
  for (const k of sortedKeys(s)) Object.defineProperty(out, k, { value: toFieldsV1(s.children.get(k)!), enumerable: true, writable: true, configurable: true });
  return out;
}

/** A FieldsV1 tree back into a set; anything else is refused as kube refuses to decode it. */
export function fromFieldsV1(v: unknown): FieldSet {
  const root = decodeNode(v, 0);
  root.self = false;
  return root;
}

function decodeNode(v: unknown, depth: number): FieldSet {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw errors.badRequest('error decoding FieldsV1: expected an object');
  if (depth > 256) throw errors.badRequest('error decoding FieldsV1: too deep');
  const node: FieldSet = { self: false, children: new Map() };
  const entries = Object.entries(v);
  if (!entries.length) node.self = true;
  for (const [k, c] of entries) {
    if (k === '.') {
      node.self = true;
      continue;
    }
    if (!/^[fkvi]:/.test(k)) throw errors.badRequest(`error decoding FieldsV1: unknown path element ${JSON.stringify(k)}`);
    node.children.set(k, decodeNode(c, depth + 1));
  }
  return node;
}

// ---- path elements --------------------------------------------------------------------------

export function fieldElement(name: string): string {
  return `f:${name}`;
}

/** A list-map item's key: its key fields sorted by name, as compact JSON. */
export function keyElement(keys: Record<string, unknown>): string {
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(keys).sort()) Object.defineProperty(sorted, k, { value: keys[k], enumerable: true, writable: true, configurable: true });
  return `k:${stringifyJSON(sorted)}`;
}

export function valueElement(value: unknown): string {
  return `v:${stringifyJSON(value)}`;
}

/** A path as kube prints it in conflicts: `.spec.template.spec.containers[name="nginx"].image`. */
export function pathString(path: readonly string[]): string {
  return path.map((pe) => {
    const body = pe.slice(2);
    switch (pe[0]) {
      case 'f': return `.${body}`;
      case 'k': return `[${Object.entries(parseExactJSON(body) as Record<string, unknown>).map(([k, v]) => `${k}=${goString(v)}`).join(',')}]`;
      case 'v': return `[=${goString(parseExactJSON(body))}]`;
      default: return `[${body}]`;
    }
  }).join('');
}

/** structured-merge-diff's value.ToString: strings quoted, numbers and booleans bare. */
function goString(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null) return 'null';
  if (typeof v === 'object') return stringifyJSON(v);
  return String(v);
}
