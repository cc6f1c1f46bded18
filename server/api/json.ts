// JSON that keeps int64 exact. kube's unstructured decoding keeps every integer that fits an int64
// and its typed int64 fields do too; a JavaScript number holds integers only up to 2^53. Such an
// integer is a `bigint` in our values, from the decode (parseExactJSON, the request body) to the
// bytes we write (stringifyJSON): storage, watch caches, patches and responses keep its digits.
// Ordinary text pays one regular-expression test on parse and one substring test on stringify.
import { randomBytes } from 'node:crypto';
import { scanJSON } from '../http/body.js';

const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;

/** The integer a literal spells when it is an integer within int64 (`9223372036854775807`), else undefined. */
export function int64Literal(literal: string): bigint | undefined {
  if (!/^-?\d+$/.test(literal)) return undefined;
  const v = BigInt(literal);
  return v >= int64Min && v <= int64Max ? v : undefined;
}

// JSON.stringify knows no bigint; its toJSON writes a marker string that stringifyJSON turns back
// into the bare digits. The nonce keeps a client's string from passing for one.
const marker = `\u0000int64-${randomBytes(6).toString('hex')}:`;
const markedInJSON = JSON.stringify(marker).slice(1, -1);
let installed = false;

/**
 * Lets JSON.stringify write a bigint (as the marker stringifyJSON removes). Called before any
 * bigint value exists, so every JSON.stringify comparison of two values works on them too.
 */
function installBigIntJSON(): void {
  if (installed) return;
  installed = true;
  Object.defineProperty(BigInt.prototype, 'toJSON', {
    value(this: bigint) { return marker + this.toString(); },
    writable: true, configurable: true, enumerable: false,
  });
}

/** A value as JSON text, int64 integers beyond 2^53 written as their digits. */
export function stringifyJSON(value: unknown): string {
  const text = JSON.stringify(value);
  return installed && text.includes(markedInJSON) ? unmark(text) : text;
}

/** Each `"<marker><digits>"` back to the bare digits, in one pass (no RegExp built from the nonce). */
function unmark(text: string): string {
  const open = `"${markedInJSON}`;
  const parts = text.split(open);
  let out = parts[0];
  for (let i = 1; i < parts.length; i++) {
    const close = parts[i].indexOf('"');
    out += parts[i].slice(0, close) + parts[i].slice(close + 1);
  }
  return out;
}

// 16 digits in a row: text without them holds no integer beyond 2^53 (the cheapest test V8 runs, ~2 ns a byte).
const maybeBigInteger = /\d{16}/;

/** JSON.parse that keeps integers beyond 2^53 within int64 exact (as bigint). */
export function parseExactJSON(text: string): unknown {
  const value = JSON.parse(text) as unknown;
  if (!maybeBigInteger.test(text)) return value;
  return placeExactIntegers(value, scanJSON(text).unsafeNumbers);
}

/** Puts the exact integer at each literal's path where it is an int64 (the value as parsed holds it rounded). */
export function placeExactIntegers(value: unknown, literals: Array<{ path: string[]; literal: string }>): unknown {
  for (const { path, literal } of literals) {
    const exact = int64Literal(literal);
    if (exact === undefined) continue;
    installBigIntJSON();
    if (!path.length) return exact;
    let parent: unknown = value;
    for (const seg of path.slice(0, -1)) parent = parent !== null && typeof parent === 'object' ? (parent as Record<string, unknown>)[seg] : undefined;
    const last = path[path.length - 1];
    if (parent !== null && typeof parent === 'object' && Object.hasOwn(parent, last)) (parent as Record<string, unknown>)[last] = exact;
  }
  return value;
}

/** A bigint from a YAML decode (int64 exact), made JSON-writable. */
export function exactInteger(v: bigint): bigint {
  installBigIntJSON();
  return v;
}

/** True when a value holds a bigint anywhere (walked without recursion). */
export function containsBigInt(value: unknown): boolean {
  const todo: unknown[] = [value];
  while (todo.length) {
    const v = todo.pop();
    if (typeof v === 'bigint') return true;
    if (v !== null && typeof v === 'object') for (const child of Object.values(v)) todo.push(child);
  }
  return false;
}

/**
 * A copy with every bigint as the nearest float64, for checks that compare numbers (ajv's type,
 * minimum, maximum): kube's OpenAPI validation compares them as float64 too. Same value when none.
 */
export function withFloatIntegers(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (!containsBigInt(value)) return value;
  if (Array.isArray(value)) return value.map(withFloatIntegers);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k === '__proto__') Object.defineProperty(out, k, { value: withFloatIntegers(v), writable: true, enumerable: true, configurable: true });
    else out[k] = withFloatIntegers(v);
  }
  return out;
}
