// Label selectors as kube-apiserver parses them: =, ==, !=, in, notin, exists, !exists.
import { errors } from '../api/errors.js';

export type LabelRequirement =
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | '!exists' };

export interface LabelSelector {
  requirements: LabelRequirement[];
  matches(labels: Record<string, string> | undefined): boolean;
  empty: boolean;
}

const everything: LabelSelector = { requirements: [], matches: () => true, empty: true };

export function parseLabelSelector(text: string | undefined): LabelSelector {
  if (!text || !text.trim()) return everything;
  const requirements = splitTerms(text).map(parseTerm);
  return {
    requirements,
    empty: false,
    matches: (labels) => requirements.every((r) => matchOne(r, labels ?? {})),
  };
}

/** A metav1.LabelSelector (matchLabels + matchExpressions) as a matcher. */
export function labelSelectorFromObject(sel: { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> } | undefined): LabelSelector {
  if (!sel) return everything;
  const requirements: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(sel.matchLabels ?? {})) requirements.push({ key, op: 'in', values: [value] });
  for (const e of sel.matchExpressions ?? []) {
    const op = e.operator.toLowerCase();
    if (op === 'in' || op === 'notin') requirements.push({ key: e.key, op, values: e.values ?? [] });
    else if (op === 'exists') requirements.push({ key: e.key, op: 'exists' });
    else if (op === 'doesnotexist') requirements.push({ key: e.key, op: '!exists' });
  }
  return { requirements, empty: requirements.length === 0, matches: (labels) => requirements.every((r) => matchOne(r, labels ?? {})) };
}

function matchOne(r: LabelRequirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  switch (r.op) {
    case 'exists': return has;
    case '!exists': return !has;
    case 'in': return has && r.values.includes(labels[r.key]);
    case 'notin': return !has || !r.values.includes(labels[r.key]);
  }
}

/** Splits on commas that are not inside a (...) value set. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(cur);
      cur = '';
    } else cur += ch;
  }
  terms.push(cur);
  return terms.map((t) => t.trim());
}

const keyPattern = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const valuePattern = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function parseTerm(term: string): LabelRequirement {
  let m: RegExpMatchArray | null;
  if (!term) throw bad(term, "found '', expected: identifier");
  if ((m = term.match(/^!\s*(\S+)$/))) return { key: checkKey(m[1]), op: '!exists' };
  if ((m = term.match(/^(\S+)\s+(in|notin)\s*\((.*)\)$/))) {
    const values = m[3].split(',').map((v) => v.trim()).filter((v, i, all) => v !== '' || all.length > 1);
    return { key: checkKey(m[1]), op: m[2] as 'in' | 'notin', values: values.map(checkValue) };
  }
  if ((m = term.match(/^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/))) {
    const key = checkKey(m[1]);
    const value = checkValue(m[3]);
    return { key, op: m[2] === '!=' ? 'notin' : 'in', values: [value] };
  }
  if ((m = term.match(/^([^=!\s()]+)$/))) return { key: checkKey(m[1]), op: 'exists' };
  throw bad(term, `found '${term}', expected: an identifier followed by =, ==, !=, in or notin`);
}

function checkKey(key: string): string {
  if (!keyPattern.test(key) || key.split('/').pop()!.length > 63) {
    throw bad(key, `invalid label key "${key}": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  }
  return key;
}

function checkValue(v: string): string {
  if (v.length > 63 || !valuePattern.test(v)) {
    throw bad(v, `invalid label value: "${v}": at key: a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
  }
  return v;
}

function bad(_term: string, why: string) {
  return errors.badRequest(`unable to parse requirement: ${why}`);
}
