// A CRD version's additionalPrinterColumns as the Table `kubectl get` shows (kube's CRD table
// convertor): Name, then each column's simple JSONPath value typed by the column's type.
import { stringifyJSON } from '../api/json.js';
import type { KubeObject } from '../api/object.js';
import { humanDuration } from '../table/format.js';
import { column, type TableDefinition } from '../table/types.js';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format?: string;
  description?: string;
  priority?: number;
  jsonPath: string;
}

const creationTimestampDescription = 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata';
/** kube serves an Age column when a version declares none. */
const defaultColumns: PrinterColumn[] = [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: creationTimestampDescription }];

/** `.status.conditions[?(@.type=="Ready")].status`, `.spec.items[0]`, `.metadata.labels.app` -> the first value, or undefined. */
export function simpleJSONPath(obj: unknown, path: string): unknown {
  const text = path.trim().replace(/^\{(.*)\}$/, '$1').replace(/^\$/, '');
  const tokens = jsonPathTokens(text);
  let cur: unknown = obj;
  for (const t of tokens) {
    if (cur === undefined || cur === null) return undefined;
    if (t.startsWith('[?(')) {
      const m = t.match(/^\[\?\(@\.([^=!<>\s]+)\s*==\s*["']?([^"']*)["']?\)\]$/);
      if (!m || !Array.isArray(cur)) return undefined;
      cur = cur.find((x) => String((x as Record<string, unknown> | null)?.[m[1]]) === m[2]);
    } else if (t.startsWith('[\'')) cur = (cur as Record<string, unknown>)[t.slice(2, -2)];
    else if (t.startsWith('[')) cur = Array.isArray(cur) ? cur[Number(t.slice(1, -1))] : undefined;
    else cur = typeof cur === 'object' ? (cur as Record<string, unknown>)[t.slice(1)] : undefined;
  }
  return cur;
}

/**
 * The path's steps: `.name`, `[?(@.f==v)]`, `[0]` and `['name']`, anything else skipped; one forward
 * scan (the next `)` and `'` are remembered, so a run of unclosed `[?(@.` is not rescanned each time).
 */
export function jsonPathTokens(text: string): string[] {
  const tokens: string[] = [];
  const n = text.length;
  let nextParen = -1;
  let nextQuote = -1;
  // The first `ch` at or after `from` (n: none), reusing the last answer while it still lies ahead.
  const after = (ch: string, from: number, cached: number) => {
    if (cached >= from) return cached;
    const at = text.indexOf(ch, from);
    return at < 0 ? n : at;
  };
  for (let i = 0; i < n;) {
    if (text[i] === '.') {
      let j = i + 1;
      while (j < n && text[j] !== '.' && text[j] !== '[' && text[j] !== ']') j++;
      if (j > i + 1) { tokens.push(text.slice(i, j)); i = j; continue; }
    } else if (text[i] === '[') {
      if (text.startsWith('[?(@.', i)) {
        nextParen = after(')', i + 5, nextParen);
        if (nextParen < n && text[nextParen + 1] === ']') { tokens.push(text.slice(i, nextParen + 2)); i = nextParen + 2; continue; }
      } else if (text[i + 1] === '\'') {
        nextQuote = after('\'', i + 2, nextQuote);
        if (nextQuote < n && text[nextQuote + 1] === ']') { tokens.push(text.slice(i, nextQuote + 2)); i = nextQuote + 2; continue; }
      } else {
        let j = i + 1;
        while (j < n && text[j] >= '0' && text[j] <= '9') j++;
        if (j > i + 1 && text[j] === ']') { tokens.push(text.slice(i, j + 1)); i = j + 1; continue; }
      }
    }
    i++;
  }
  return tokens;
}

function cell(c: PrinterColumn, value: unknown, now: number): unknown {
  if (value === undefined || value === null) return null;
  switch (c.type) {
    case 'integer': return typeof value === 'number' ? Math.trunc(value) : typeof value === 'bigint' ? value : null;
    case 'number': return typeof value === 'number' ? value : null;
    case 'boolean': return typeof value === 'boolean' ? value : null;
    case 'date': {
      if (typeof value !== 'string') return null;
      const t = Date.parse(value);
      return Number.isNaN(t) ? '<invalid>' : humanDuration(now - t);
    }
    default: return typeof value === 'string' ? value : typeof value === 'bigint' ? value.toString() : stringifyJSON(value);
  }
}

export function printerColumnsTable(declared: PrinterColumn[] | undefined): TableDefinition {
  const columns = declared?.length ? declared : defaultColumns;
  return {
    columns: [
      column('Name', 'string', 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names', 0, 'name'),
      ...columns.map((c) => column(c.name, c.type, c.description || `Custom resource definition column (in JSONPath format): ${c.jsonPath}`, c.priority ?? 0, c.format ?? '')),
    ],
    cells: (obj: KubeObject, now: number) => [obj.metadata.name, ...columns.map((c) => cell(c, simpleJSONPath(obj, c.jsonPath), now))],
  };
}
