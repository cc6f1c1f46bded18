// Field selectors: `metadata.name=x,status.phase!=Running`, over the fields a resource supports.
import { errors } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';

export interface FieldRequirement { field: string; op: '=' | '!='; value: string }

export interface FieldSelector {
  requirements: FieldRequirement[];
  empty: boolean;
  matches(obj: KubeObject): boolean;
}

export type FieldGetters = Record<string, (obj: KubeObject) => string | undefined>;

const metaFields: FieldGetters = {
  'metadata.name': (o) => o.metadata.name,
  'metadata.namespace': (o) => o.metadata.namespace ?? '',
};

/**
 * Parses a field selector as kube's fields.ParseSelector does (terms split on unescaped commas, the
 * first `!=`, `==` or `=` splits a term, `\\`, `\,` and `\=` escape a value), in one linear scan,
 * and checks every field is one the resource supports; an unsupported field is 400 BadRequest.
 */
export function parseFieldSelector(text: string | undefined, extra: FieldGetters | undefined, kindForMessage: string, version: string): FieldSelector {
  if (!text) return { requirements: [], empty: true, matches: () => true };
  const getters: FieldGetters = { ...metaFields, ...(extra ?? {}) };
  const requirements: FieldRequirement[] = [];
  for (const term of splitTerms(text).sort()) {
    if (term === '') continue;
    const split = splitTerm(term);
    if (!split) throw errors.badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    const value = unescapeValue(split.rhs);
    if (!Object.hasOwn(getters, split.lhs)) { // never an inherited name (`constructor`, `__proto__`)
      throw errors.badRequest(`field label not supported: ${split.lhs}`);
    }
    requirements.push({ field: split.lhs, op: split.op === '!=' ? '!=' : '=', value });
  }
  void kindForMessage;
  void version;
  if (!requirements.length) return { requirements, empty: true, matches: () => true };
  return {
    requirements,
    empty: false,
    matches: (obj) => requirements.every((r) => {
      const v = getters[r.field](obj) ?? '';
      return r.op === '=' ? v === r.value : v !== r.value;
    }),
  };
}

/** The terms between unescaped commas (a backslash escapes the next character). */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === ',') { terms.push(text.slice(start, i)); start = i + 1; }
  }
  terms.push(text.slice(start));
  return terms;
}

/** Splits a term at its first operator; `!=` and `==` win over `=` where both start. */
function splitTerm(term: string): { lhs: string; op: string; rhs: string } | undefined {
  for (let i = 0; i < term.length; i++) {
    const c = term[i];
    if (c === '!' && term[i + 1] === '=') return { lhs: term.slice(0, i), op: '!=', rhs: term.slice(i + 2) };
    if (c === '=') {
      const op = term[i + 1] === '=' ? '==' : '=';
      return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return undefined;
}

/** kube's fields.UnescapeValue: `\\`, `\,` and `\=` only; a bare `,` or `=` in a value is an error. */
function unescapeValue(v: string): string {
  if (!/[\\,=]/.test(v)) return v;
  let out = '';
  for (let i = 0; i < v.length; i++) {
    const c = v[i];
    if (c === '\\') {
      const next = v[i + 1];
      if (next === undefined) throw errors.badRequest('invalid field selector: invalid escape sequence: \\');
      if (next !== '\\' && next !== ',' && next !== '=') {
        throw errors.badRequest(`invalid field selector: invalid escape sequence: \\${String.fromCodePoint(v.codePointAt(i + 1)!)}`);
      }
      out += next;
      i++;
    } else if (c === ',' || c === '=') {
      // Go prints the rune with %v: its number
      throw errors.badRequest(`invalid field selector: unescaped character in value: ${c.charCodeAt(0)}`);
    } else {
      out += c;
    }
  }
  return out;
}
