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
 * Parses a field selector and checks every field is one the resource supports;
 * an unsupported field is 400 BadRequest as in kube-apiserver.
 */
export function parseFieldSelector(text: string | undefined, extra: FieldGetters | undefined, kindForMessage: string, version: string): FieldSelector {
  if (!text || !text.trim()) return { requirements: [], empty: true, matches: () => true };
  const getters: FieldGetters = { ...metaFields, ...(extra ?? {}) };
  const requirements: FieldRequirement[] = [];
  for (const raw of text.split(',')) {
    const term = raw.trim();
    const m = term.match(/^([^=!]+?)\s*(==|=|!=)\s*(.*)$/);
    if (!m) throw errors.badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    const op = m[2] === '!=' ? '!=' : '=';
    const fieldName = m[1].trim();
    if (!Object.hasOwn(getters, fieldName)) { // never an inherited name (`constructor`, `__proto__`)
      throw errors.badRequest(`field label not supported: ${fieldName}`);
    }
    requirements.push({ field: fieldName, op, value: unescapeValue(m[3]) });
  }
  void kindForMessage;
  void version;
  return {
    requirements,
    empty: false,
    matches: (obj) => requirements.every((r) => {
      const v = getters[r.field](obj) ?? '';
      return r.op === '=' ? v === r.value : v !== r.value;
    }),
  };
}

function unescapeValue(v: string): string {
  return v.replace(/\\(.)/g, '$1');
}
