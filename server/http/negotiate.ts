// Content negotiation: which representation a client asked for, and how to read the body it sent.
import { parseAllDocuments, stringify as yamlStringify } from 'yaml';
import { errors } from '../api/errors.js';

export type Representation = 'json' | 'yaml' | 'table';

const acceptedOutput = ['application/json', 'application/yaml', 'application/json;as=Table;v=v1;g=meta.k8s.io'];
const acceptedInput = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf', 'application/apply-patch+yaml', 'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];

interface MediaRange { type: string; params: Record<string, string> }

function parseAccept(header: string): MediaRange[] {
  return header.split(',').map((part) => {
    const [type, ...rest] = part.trim().split(';');
    const params: Record<string, string> = {};
    for (const p of rest) {
      const eq = p.indexOf('=');
      if (eq > 0) params[p.slice(0, eq).trim().toLowerCase()] = p.slice(eq + 1).trim();
    }
    return { type: type.trim().toLowerCase(), params };
  }).filter((m) => m.type);
}

/** Picks the first media range we can serve, in the client's order. Tables only where `tableAllowed`. */
export function negotiate(accept: string | undefined, tableAllowed: boolean): Representation {
  if (!accept) return 'json';
  for (const m of parseAccept(accept)) {
    if (m.params.as === 'Table') {
      if (tableAllowed && m.type === 'application/json' && m.params.g === 'meta.k8s.io' && (m.params.v === 'v1' || m.params.v === 'v1beta1')) return 'table';
      continue;
    }
    if (m.params.as) continue; // PartialObjectMetadata and the like: not served, let the client fall back.
    if (m.type === 'application/json' || m.type === '*/*' || m.type === 'application/*') return 'json';
    if (m.type === 'application/yaml') return 'yaml';
  }
  throw errors.notAcceptable(acceptedOutput);
}

export function encode(rep: Representation, obj: unknown): { body: string; contentType: string } {
  if (rep === 'yaml') return { body: yamlStringify(obj), contentType: 'application/yaml' };
  return { body: JSON.stringify(obj), contentType: 'application/json' };
}

export type BodyFormat = 'json' | 'yaml' | 'protobuf' | 'json-patch' | 'merge-patch' | 'strategic-merge-patch' | 'apply-patch';

export function bodyFormat(contentType: string | undefined): BodyFormat {
  const type = (contentType ?? 'application/json').split(';')[0].trim().toLowerCase();
  switch (type) {
    case '': case 'application/json': return 'json';
    case 'application/yaml': return 'yaml';
    case 'application/vnd.kubernetes.protobuf': return 'protobuf';
    case 'application/json-patch+json': return 'json-patch';
    case 'application/merge-patch+json': return 'merge-patch';
    case 'application/strategic-merge-patch+json': return 'strategic-merge-patch';
    case 'application/apply-patch+yaml': return 'apply-patch';
    default: throw errors.unsupportedMediaType(type, acceptedInput);
  }
}

/**
 * Parses a JSON or YAML body. Malformed input is 400 BadRequest with the decoder's message;
 * duplicate keys are reported so fieldValidation can act on them.
 */
export function parseBody(raw: Buffer, format: 'json' | 'yaml', kindHint: string): { value: unknown; duplicates: string[] } {
  const text = raw.toString('utf8');
  if (!text.trim()) throw errors.badRequest('the body of the request was empty');
  if (format === 'json') {
    try {
      const value = JSON.parse(text) as unknown;
      return { value, duplicates: findDuplicateKeys(text) };
    } catch (e) {
      throw errors.badRequest(`${kindHint ? `${kindHint} in version "v1" cannot be handled as a ${kindHint}: ` : ''}${jsonErrorMessage(e as Error)}`);
    }
  }
  const docs = parseAllDocuments(text, { uniqueKeys: false });
  const list = Array.isArray(docs) ? docs : [docs];
  const doc = list[0];
  if (!doc || doc.errors.length) {
    const msg = doc?.errors[0]?.message ?? 'empty document';
    throw errors.badRequest(`error converting YAML to JSON: yaml: ${msg.split('\n')[0]}`);
  }
  return { value: doc.toJSON() as unknown, duplicates: [] };
}

function jsonErrorMessage(e: Error): string {
  const m = e.message;
  if (/Unexpected end/i.test(m)) return 'unexpected EOF';
  return `invalid character in JSON: ${m}`;
}

/** Paths of keys that appear twice in one JSON object (`metadata.name`), found with a small scanner. */
export function findDuplicateKeys(text: string): string[] {
  const dups: string[] = [];
  const stack: Array<{ keys: Set<string> | null; path: string; pendingKey: string | null; index: number }> = [];
  let i = 0;
  const n = text.length;
  const childPath = (): string => {
    const top = stack[stack.length - 1];
    if (!top) return '';
    if (top.keys) return top.path ? `${top.path}.${top.pendingKey}` : top.pendingKey ?? '';
    return `${top.path}[${top.index}]`;
  };
  let expectKey = false;
  while (i < n) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      let s = '';
      while (j < n && text[j] !== '"') {
        if (text[j] === '\\') { s += text[j + 1]; j += 2; } else { s += text[j]; j++; }
      }
      const top = stack[stack.length - 1];
      if (expectKey && top && top.keys) {
        if (top.keys.has(s)) dups.push(top.path ? `${top.path}.${s}` : s);
        top.keys.add(s);
        top.pendingKey = s;
        expectKey = false;
      }
      i = j + 1;
      continue;
    }
    if (c === '{') {
      stack.push({ keys: new Set(), path: childPath(), pendingKey: null, index: 0 });
      expectKey = true;
    } else if (c === '[') {
      stack.push({ keys: null, path: childPath(), pendingKey: null, index: 0 });
    } else if (c === '}' || c === ']') {
      stack.pop();
    } else if (c === ',') {
      const top = stack[stack.length - 1];
      if (top?.keys) expectKey = true;
      else if (top) top.index++;
    }
    i++;
  }
  return dups;
}
