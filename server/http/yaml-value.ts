// A parsed YAML document to a plain value the way go-yaml v2 (sigs.k8s.io/yaml) decodes it: aliases
// resolved by position in one pass, then expanded while counting, so excessive aliasing is refused
// before the tree is built. The yaml package's own toJS is not used: it scans every earlier anchor
// and alias for each alias it resolves, which is quadratic in the body.
import { type Alias, type Document, type Node, isAlias, isMap, isPair, isScalar, isSeq } from 'yaml';
import { ApiError } from '../api/errors.js';
import { setOwn } from '../api/object.js';

/** A number a JavaScript number cannot hold exactly, and where it is. */
export interface YamlUnsafeNumber { path: string[]; literal: string }

const excessiveAliasing = 'error converting YAML to JSON: yaml: document contains excessive aliasing';

// go-yaml v2's decoder: the share of decoded nodes that may come from aliases shrinks as the document grows.
function allowedAliasRatio(decodeCount: number): number {
  if (decodeCount <= 400_000) return 0.99;
  if (decodeCount >= 4_000_000) return 0.10;
  return 0.99 - 0.89 * ((decodeCount - 400_000) / 3_600_000);
}

/** A path segment linked to its parent: the path is spelled out only for the rare unsafe number. */
interface PathLink { parent: PathLink | undefined; segment: string }

function pathOf(link: PathLink | undefined): string[] {
  const out: string[] = [];
  for (let l = link; l; l = l.parent) out.push(l.segment);
  return out.reverse();
}

type Task =
  | { kind: 'node'; node: unknown; set: (v: unknown) => void; path: PathLink | undefined; depth: number }
  | { kind: 'leave-alias'; alias: Alias };

/**
 * The document's value, with go-yaml's bounds: an unknown anchor, an alias inside its own anchor
 * and excessive aliasing are refused (400) as kube refuses them; nesting deeper than `maxDepth` too.
 */
export function yamlValue(doc: Document.Parsed, maxDepth: number): { value: unknown; unsafeNumbers: YamlUnsafeNumber[] } {
  const targets = resolveAliases(doc.contents);
  const unsafeNumbers: YamlUnsafeNumber[] = [];
  const active = new Set<Alias>();
  let decodeCount = 1; // the document node
  let aliasCount = 0;
  const count = () => {
    decodeCount++;
    if (active.size > 0) aliasCount++;
    if (aliasCount > 100 && decodeCount > 1000 && aliasCount / decodeCount > allowedAliasRatio(decodeCount)) {
      throw new ApiError(400, 'BadRequest', excessiveAliasing);
    }
  };
  const enterAlias = (alias: Alias): Node => {
    if (active.has(alias)) throw new ApiError(400, 'BadRequest', `error converting YAML to JSON: yaml: anchor '${alias.source}' value contains itself`);
    active.add(alias);
    return targets.get(alias)!;
  };
  // A key is a scalar (collection keys are refused before this runs), possibly through an alias.
  const keyOf = (key: unknown): string => {
    count();
    if (isAlias(key)) {
      const target = enterAlias(key);
      try { return keyOf(target); } finally { active.delete(key); }
    }
    if (isMap(key) || isSeq(key)) throw new ApiError(400, 'BadRequest', `yaml: invalid map key: ${JSON.stringify(key.toJSON())}`);
    const v = isScalar(key) ? key.value : null;
    if (v === null || v === undefined) return '';
    return v instanceof Date ? v.toISOString() : String(v);
  };

  const root: { value?: unknown } = { value: null };
  const todo: Task[] = [{ kind: 'node', node: doc.contents, set: (v) => { root.value = v; }, path: undefined, depth: 0 }];
  while (todo.length) {
    const task = todo.pop()!;
    if (task.kind === 'leave-alias') { active.delete(task.alias); continue; }
    const { node, set, path, depth } = task;
    if (node instanceof PendingPair) {
      // go-yaml decodes each key right before its value
      const key = keyOf(node.key);
      todo.push({ kind: 'node', node: node.value, set: (v) => set([key, v]), path: { parent: path, segment: key }, depth });
      continue;
    }
    count();
    if (isScalar(node) || node === null || node === undefined) { // the most common node first
      if (depth > maxDepth) throw new ApiError(400, 'BadRequest', `nesting depth exceeds the maximum of ${maxDepth}`);
      set(scalarValue(node?.value ?? null, path, unsafeNumbers));
      continue;
    }
    if (isAlias(node)) {
      const target = enterAlias(node);
      todo.push({ kind: 'leave-alias', alias: node }, { kind: 'node', node: target, set, path, depth });
      continue;
    }
    if (depth > maxDepth) throw new ApiError(400, 'BadRequest', `nesting depth exceeds the maximum of ${maxDepth}`);
    if (isMap(node) || isPair(node)) {
      // A pair on its own is a flow sequence's `[a: 1]`: a map of one key.
      const out: Record<string, unknown> = {};
      set(out);
      const pairs = isPair(node) ? [node] : node.items;
      const setEntry = (v: unknown) => { const [key, value] = v as [string, unknown]; setOwn(out, key, value); };
      for (let k = pairs.length - 1; k >= 0; k--) {
        todo.push({ kind: 'node', node: new PendingPair(pairs[k].key, pairs[k].value), set: setEntry, path, depth: depth + 1 });
      }
    } else if (isSeq(node)) {
      const out: unknown[] = new Array(node.items.length);
      set(out);
      for (let k = node.items.length - 1; k >= 0; k--) {
        todo.push({ kind: 'node', node: node.items[k], set: (v) => { out[k] = v; }, path: { parent: path, segment: String(k) }, depth: depth + 1 });
      }
    } else {
      set(null);
    }
  }
  return { value: root.value, unsafeNumbers };
}

/** A map entry waiting for its turn: its key is decoded when it is popped. */
class PendingPair {
  constructor(readonly key: unknown, readonly value: unknown) {}
}

function scalarValue(v: unknown, path: PathLink | undefined, unsafeNumbers: YamlUnsafeNumber[]): unknown {
  if (typeof v === 'number' && (!Number.isFinite(v) || (Number.isInteger(v) && !Number.isSafeInteger(v)))) {
    unsafeNumbers.push({ path: pathOf(path), literal: Number.isFinite(v) ? String(v) : v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN' });
  }
  if (typeof v === 'bigint') {
    if (!Number.isSafeInteger(Number(v))) unsafeNumbers.push({ path: pathOf(path), literal: v.toString() });
    return Number(v);
  }
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8'); // !!binary: go-yaml decodes it to its bytes
  return v === undefined ? null : v;
}

/**
 * Every alias to the node its anchor names at that point of the text (go-yaml's parser: an anchor
 * is known from where its node starts, and a later anchor of the same name replaces it). One pass.
 */
function resolveAliases(contents: unknown): Map<Alias, Node> {
  const anchors = new Map<string, Node>();
  const targets = new Map<Alias, Node>();
  const todo: unknown[] = [contents];
  while (todo.length) {
    const node = todo.pop();
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (!target) throw new ApiError(400, 'BadRequest', `error converting YAML to JSON: yaml: unknown anchor '${node.source}' referenced`);
      targets.set(node, target);
    } else if (isPair(node)) {
      todo.push(node.value, node.key);
    } else if (isMap(node) || isSeq(node) || isScalar(node)) {
      if (node.anchor) anchors.set(node.anchor, node);
      if (isMap(node) || isSeq(node)) for (let k = node.items.length - 1; k >= 0; k--) todo.push(node.items[k]);
    }
  }
  return targets;
}
