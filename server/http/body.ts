// Request bodies (JSON, YAML) to plain values, with what strict decoding needs: duplicate keys,
// numbers JavaScript cannot hold exactly, and bounds on nesting and YAML aliases. Never throws
// anything but an ApiError: malformed, too deep or too aliased input is 400 BadRequest.
import { type Document, LineCounter, isMap, isScalar, isSeq, parseAllDocuments } from 'yaml';
import { ApiError, errors } from '../api/errors.js';
import { yamlValue } from './yaml-value.js';

/**
 * Nesting deeper than this is refused. kube-apiserver's JSON decoder allows 10000 levels; V8's
 * structured clone and JSON.stringify overflow the stack long before that, so ours is lower.
 */
export const maxNestingDepth = 1000;

/** A number literal a JavaScript number cannot hold: beyond float64 (1e309) or an integer beyond 2^53. */
export interface UnsafeNumber { path: string[]; literal: string }

export interface ParsedBody {
  value: unknown;
  /** Strict-decoding errors for repeated keys, as kube words them (`duplicate field "metadata.name"`). */
  duplicates: string[];
  /** Where each duplicate key stands in JSON text (kube reports strict errors in document order). */
  duplicateOffsets?: number[];
  unsafeNumbers: UnsafeNumber[];
  /** JSON literals with a fraction or exponent (`1.0`, `1e2`): Go's encoding/json refuses them for integer fields. */
  floatLiterals: UnsafeNumber[];
}

/**
 * Parses a JSON or YAML body. `kindHint` prefixes decode errors as kube-apiserver does
 * (`ConfigMap in version "v1" cannot be handled as a ConfigMap: ...`); '' for patches.
 */
export function parseBody(raw: Buffer, format: 'json' | 'yaml', kindHint: string, version = 'v1'): ParsedBody {
  const text = raw.toString('utf8');
  if (!text.trim()) throw errors.badRequest('the body of the request was empty');
  const prefix = kindHint ? `${kindHint} in version "${version}" cannot be handled as a ${kindHint}: ` : '';
  try {
    return format === 'json' ? parseJSON(text) : parseYAML(text);
  } catch (e) {
    if (e instanceof ApiError) throw errors.badRequest(prefix + e.message);
    if (e instanceof RangeError) throw errors.badRequest(`${prefix}nesting depth exceeds the maximum of ${maxNestingDepth}`);
    throw errors.badRequest(prefix + (format === 'json' ? jsonErrorMessage(e as Error) : `error converting YAML to JSON: yaml: ${(e as Error).message.split('\n')[0]}`));
  }
}

function parseJSON(text: string): ParsedBody {
  // The scan first: it bounds the depth before anything recursive touches the value.
  const { duplicates, duplicateOffsets, unsafeNumbers, floatLiterals } = scanJSON(text);
  return { value: JSON.parse(text) as unknown, duplicates, duplicateOffsets, unsafeNumbers, floatLiterals };
}

function jsonErrorMessage(e: Error): string {
  if (/Unexpected end/i.test(e.message)) return 'unexpected EOF';
  return `invalid character in JSON: ${e.message}`;
}

interface Frame { keys: Set<string> | null; key: string; index: number }

function pathOf(stack: Frame[]): string[] {
  return stack.map((f) => (f.keys ? f.key : String(f.index)));
}

/** kube's strict-error path: `spec.containers[0].name`. */
export function dottedPath(segments: string[], isIndex: (i: number) => boolean): string {
  let out = '';
  segments.forEach((s, i) => { out += isIndex(i) ? `[${s}]` : out ? `.${s}` : s; });
  return out;
}

/** The offset of each path's first key in JSON text (-1 where absent): strict errors in the order kube finds them. */
export function keyOffsets(text: string, paths: string[][]): number[] {
  const wanted = new Map(paths.map((p, i) => [p.join('\u0000'), i]));
  const out = paths.map(() => -1);
  scanJSON(text, (path, offset) => {
    const i = wanted.get(path().join('\u0000'));
    if (i !== undefined && out[i] < 0) out[i] = offset;
  });
  return out;
}

/** One pass over JSON text: depth, duplicate keys and unsafe numbers. Malformed text is left to JSON.parse. */
export function scanJSON(text: string, onKey?: (path: () => string[], offset: number) => void): { duplicates: string[]; duplicateOffsets: number[]; unsafeNumbers: UnsafeNumber[]; floatLiterals: UnsafeNumber[] } {
  const duplicates: string[] = [];
  const duplicateOffsets: number[] = [];
  const unsafeNumbers: UnsafeNumber[] = [];
  const floatLiterals: UnsafeNumber[] = [];
  const stack: Frame[] = [];
  const n = text.length;
  let expectKey = false;
  let i = 0;
  const strictPath = (extraKey?: string) => {
    const segs = pathOf(stack);
    const idx = stack.map((f) => !f.keys);
    if (extraKey !== undefined) { segs[segs.length - 1] = extraKey; }
    return dottedPath(segs, (k) => idx[k]);
  };
  while (i < n) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack[stack.length - 1];
      if (expectKey && top?.keys) {
        let key: string;
        try { key = JSON.parse(text.slice(i, j + 1)) as string; } catch { key = text.slice(i + 1, j); }
        if (top.keys.has(key)) {
          duplicates.push(`duplicate field ${JSON.stringify(strictPath(key))}`);
          duplicateOffsets.push(i);
        }
        top.keys.add(key);
        top.key = key;
        onKey?.(() => pathOf(stack), i);
        expectKey = false;
      }
      i = j + 1;
      continue;
    }
    if (c === '{' || c === '[') {
      if (stack.length >= maxNestingDepth) throw new ApiError(400, 'BadRequest', `nesting depth exceeds the maximum of ${maxNestingDepth}`);
      stack.push({ keys: c === '{' ? new Set() : null, key: '', index: 0 });
      expectKey = c === '{';
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top?.keys) expectKey = true;
      else if (top) top.index++;
    } else if (c === '-' || (c >= '0' && c <= '9')) {
      let j = i + 1;
      while (j < n && /[0-9eE.+-]/.test(text[j])) j++;
      const literal = text.slice(i, j);
      if (!isSafeNumberLiteral(literal)) unsafeNumbers.push({ path: pathOf(stack), literal });
      else if (/[.eE]/.test(literal)) floatLiterals.push({ path: pathOf(stack), literal });
      i = j;
      continue;
    }
    i++;
  }
  return { duplicates, duplicateOffsets, unsafeNumbers, floatLiterals };
}

/** True when Number(literal) is the number the literal means (integers exactly, everything finite). */
export function isSafeNumberLiteral(literal: string): boolean {
  const v = Number(literal);
  if (!Number.isFinite(v)) return Number.isNaN(v); // NaN: not a number literal at all, JSON.parse will say so
  if (/[.eE]/.test(literal)) return true;
  return Number.isSafeInteger(v);
}

/** True when a decoded value nests objects and arrays deeper than `max` (walked without recursion). */
export function nestedDeeperThan(value: unknown, max: number): boolean {
  const todo: Array<[unknown, number]> = [[value, 0]];
  while (todo.length) {
    const [v, depth] = todo.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > max) return true;
    for (const child of Object.values(v)) todo.push([child, depth + 1]);
  }
  return false;
}

// ---- YAML ----------------------------------------------------------------------------------

function parseYAML(text: string): ParsedBody {
  const lineCounter = new LineCounter();
  // Integers as bigint: a literal beyond 2^53 keeps its digits (yamlValue reports it, the decode keeps it exact).
  const docs = parseAllDocuments(text, { uniqueKeys: false, lineCounter, intAsBigInt: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const doc = list[0] as Document.Parsed | undefined;
  if (!doc || doc.errors.length) {
    const msg = doc?.errors[0]?.message ?? 'empty document';
    throw new Error(msg);
  }
  refuseCollectionKeys(doc);
  const duplicates = yamlDuplicates(doc, lineCounter);
  const { value, unsafeNumbers } = yamlValue(doc, maxNestingDepth);
  // sigs.k8s.io/yaml re-encodes floats (1.0 becomes 1): no literal survives to be refused.
  return { value, duplicates, unsafeNumbers, floatLiterals: [] };
}

/** sigs.k8s.io/yaml turns YAML into JSON, where a key must be a scalar: `? [a, b]` is refused (400). */
function refuseCollectionKeys(doc: Document.Parsed): void {
  const todo: unknown[] = [doc.contents];
  while (todo.length) {
    const node = todo.pop();
    if (isMap(node)) {
      for (const pair of node.items) {
        if (isMap(pair.key) || isSeq(pair.key)) {
          const key = pair.key.toJSON() as unknown;
          const shown = Array.isArray(key) ? `[]interface {}{${key.map((k) => JSON.stringify(k)).join(', ')}}` : `map[interface {}]interface {}${JSON.stringify(key)}`;
          throw new ApiError(400, 'BadRequest', `yaml: invalid map key: ${shown}`);
        }
        todo.push(pair.value);
      }
    } else if (isSeq(node)) for (const item of node.items) todo.push(item);
  }
}

/** Repeated keys in a YAML mapping, in go-yaml's words (kube reports them as one strict error). */
function yamlDuplicates(doc: Document.Parsed, lineCounter: LineCounter): string[] {
  const lines: string[] = [];
  const todo: unknown[] = [doc.contents];
  while (todo.length) {
    const node = todo.pop();
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : undefined;
        if (key !== undefined) {
          if (seen.has(key)) {
            const at = (pair.key as { range?: [number, number, number] }).range?.[0] ?? 0;
            lines.push(`line ${lineCounter.linePos(at).line}: key ${JSON.stringify(key)} already set in map`);
          }
          seen.add(key);
        }
        todo.push(pair.value);
      }
    } else if (isSeq(node)) for (const item of node.items) todo.push(item);
  }
  return lines.length ? [`error converting YAML to JSON: yaml: unmarshal errors:\n  ${lines.join('\n  ')}`] : [];
}
