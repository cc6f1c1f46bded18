// RFC 6902 JSON Patch (application/json-patch+json).
import { ApiError, errors } from '../api/errors.js';
import { getOwn, setOwn } from '../api/object.js';

/** kube-apiserver's bound on operations in one JSON patch. */
const maxOperations = 10000;

interface Operation { op: string; path: string; value?: unknown; from?: string }

function parsePointer(path: string): string[] {
  if (path === '') return [];
  // kube's json-patch (evanphx v4) drops whatever precedes the first '/': "data/a" is "/a".
  const split = path.split('/');
  if (split.length < 2) bad(`doc is missing path: "${path}": missing value`);
  return split.slice(1).map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function bad(message: string): never {
  throw errors.unprocessable(message);
}

function locate(doc: unknown, tokens: string[]): { parent: unknown; key: string } {
  let cur = doc;
  for (let i = 0; i < tokens.length - 1; i++) {
    const t = tokens[i];
    cur = child(cur, t);
    if (cur === undefined || cur === null) bad(`doc is missing path: "/${tokens.slice(0, i + 1).join('/')}": missing value`);
  }
  return { parent: cur, key: tokens[tokens.length - 1] };
}

function getAt(doc: unknown, path: string): unknown {
  let cur = doc;
  for (const t of parsePointer(path)) {
    cur = child(cur, t);
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** An array element or an own member: a pointer never walks into a prototype (`/metadata/__proto__`). */
function child(cur: unknown, token: string): unknown {
  if (Array.isArray(cur)) return /^\d+$/.test(token) ? cur[Number(token)] : undefined;
  return getOwn(cur, token);
}

function arrayIndex(arr: unknown[], key: string, forInsert: boolean): number {
  if (key === '-' && forInsert) return arr.length;
  if (!/^\d+$/.test(key)) bad(`Unable to access invalid index: ${key}`);
  const i = Number(key);
  if (i > arr.length || (!forInsert && i >= arr.length)) bad(`Unable to access invalid index: ${i}`);
  return i;
}

function add(doc: unknown, path: string, value: unknown): unknown {
  const tokens = parsePointer(path);
  if (!tokens.length) return value;
  const { parent, key } = locate(doc, tokens);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, true), 0, value);
  else if (parent && typeof parent === 'object') setOwn(parent as Record<string, unknown>, key, value);
  else bad(`doc is missing path: "${path}": missing value`);
  return doc;
}

function remove(doc: unknown, path: string): unknown {
  const tokens = parsePointer(path);
  const { parent, key } = locate(doc, tokens);
  if (Array.isArray(parent)) parent.splice(arrayIndex(parent, key, false), 1);
  else if (parent && typeof parent === 'object' && Object.hasOwn(parent, key)) delete (parent as Record<string, unknown>)[key];
  else bad(`Unable to remove nonexistent key: ${key}: missing value`);
  return doc;
}

function copySource(doc: unknown, from: string): unknown {
  const tokens = parsePointer(from);
  if (!tokens.length) return doc;
  const parentPath = tokens.slice(0, -1);
  let parent = doc;
  for (const t of parentPath) {
    parent = child(parent, t);
    if (parent === undefined || parent === null) return undefined;
  }
  const key = tokens[tokens.length - 1];
  if (Array.isArray(parent)) return parent[arrayIndex(parent, key, false)];
  if (parent && typeof parent === 'object') return getOwn(parent, key) ?? null;
  return undefined;
}

export function applyJSONPatch(doc: unknown, patch: unknown): unknown {
  if (!Array.isArray(patch)) throw errors.badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  if (patch.length > maxOperations) {
    throw new ApiError(413, 'RequestEntityTooLarge', `The allowed maximum operations in a JSON patch is ${maxOperations}, got ${patch.length}`);
  }
  let out = structuredClone(doc);
  for (const raw of patch as Operation[]) {
    if (!raw || typeof raw !== 'object' || typeof raw.path !== 'string') bad('missing path in JSON patch operation');
    switch (raw.op) {
      case 'add': out = add(out, raw.path, structuredClone(raw.value)); break;
      case 'remove': out = remove(out, raw.path); break;
      case 'replace': {
        if (getAt(out, raw.path) === undefined) bad(`replace operation does not apply: doc is missing key: ${raw.path}: missing value`);
        out = add(remove(out, raw.path), raw.path, structuredClone(raw.value));
        break;
      }
      case 'move': {
        const v = getAt(out, raw.from ?? '');
        if (v === undefined) bad(`move operation does not apply: doc is missing from path: ${raw.from}: missing value`);
        out = add(remove(out, raw.from!), raw.path, v);
        break;
      }
      case 'copy': {
        // evanphx v4 copies a missing member of an existing object as null; a missing parent is an error.
        const v = copySource(out, raw.from ?? '');
        if (v === undefined) bad(`copy operation does not apply: doc is missing from path: ${raw.from}: missing value`);
        out = add(out, raw.path, structuredClone(v));
        break;
      }
      case 'test':
        if (JSON.stringify(getAt(out, raw.path)) !== JSON.stringify(raw.value)) bad(`testing value ${raw.path} failed: test failed`);
        break;
      default: bad(`Unexpected kind: ${String(raw.op)}`);
    }
  }
  return out;
}
