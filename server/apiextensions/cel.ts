// x-kubernetes-validations: CEL rules on a custom resource's schema nodes, with @bufbuild/cel.
// `self` is the value at the node, `oldSelf` the stored one on update (transition rules run only
// where an old value exists). Cost is bounded before a rule runs, not after: CEL has no loops but
// its macros (all, exists, map, filter) iterate, so a rule's worst case is its length times the
// value's size to the power of its macros; past kube's per-call limit it is refused, not run.
// `matches()` runs on RE2 (@bufbuild/re2, linear time), so a pattern cannot backtrack for long either.
import { celEnv, isCelError, parse, plan } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { FieldError, field } from '../api/errors.js';
import { fieldPath } from '../schema/validate.js';
import { jsonType, type JSONSchemaProps, type ValidationRule } from './schema.js';

/** kube reports a failed rule's Invalid value without the value itself. */
class RuleFailure extends FieldError {
  constructor(path: string, detail: string) {
    super('FieldValueInvalid', path, undefined, detail);
  }

  override detailMessage(): string {
    return `Invalid value: ${this.detail}`;
  }
}

/** kube's PerCallLimit: the cost one rule evaluation may reach. */
export const perCallCostLimit = 1_000_000;
/** Longest rule accepted; kube bounds rules by estimated cost, this bound keeps parsing cheap too. */
export const maxRuleLength = 8192;
/** Wall-clock budget for all rules of one object, a backstop behind the cost bound. */
const objectBudgetMs = 500;

type Program = (bindings: Record<string, unknown>) => unknown;

const env = celEnv({ funcs: strings });
const programs = new Map<string, Program>();
const macros = /\.\s*(all|exists|exists_one|map|filter)\s*\(/g;

/** The rule's program, parsed and planned once; throws on a syntax error. */
function program(rule: string): Program {
  let p = programs.get(rule);
  if (!p) {
    p = plan(env, parse(rule)) as unknown as Program;
    programs.set(rule, p);
  }
  return p;
}

/** Errors of the rules in a CRD version's schema, at `base` (`spec.versions[0].schema.openAPIV3Schema`). */
export function compileErrors(s: JSONSchemaProps | undefined, base: string): FieldError[] {
  if (!s || typeof s !== 'object') return [];
  const errs: FieldError[] = [];
  (s['x-kubernetes-validations'] ?? []).forEach((r, i) => {
    const at = `${base}.x-kubernetes-validations[${i}]`;
    if (!r.rule) return errs.push(field.required(`${at}.rule`));
    if (r.rule.length > maxRuleLength) return errs.push(field.tooLong(`${at}.rule`, '', maxRuleLength));
    for (const [k, expr] of [['rule', r.rule], ['messageExpression', r.messageExpression]] as const) {
      if (!expr) continue;
      try {
        program(expr);
      } catch (e) {
        errs.push(field.invalid(`${at}.${k}`, expr, `compilation failed: ERROR: <input>:${(e as Error).message.replace(/^syntax error: <input>:/, '')}`));
      }
    }
    if (r.reason && !['FieldValueInvalid', 'FieldValueForbidden', 'FieldValueRequired', 'FieldValueDuplicate'].includes(r.reason)) {
      errs.push(field.notSupported(`${at}.reason`, r.reason, ['FieldValueDuplicate', 'FieldValueForbidden', 'FieldValueInvalid', 'FieldValueRequired']));
    }
  });
  for (const [k, v] of Object.entries(s.properties ?? {})) errs.push(...compileErrors(v, `${base}.properties[${k}]`));
  if (s.items) errs.push(...compileErrors(s.items, `${base}.items`));
  if (s.additionalProperties && typeof s.additionalProperties === 'object') errs.push(...compileErrors(s.additionalProperties, `${base}.additionalProperties`));
  return errs;
}

/** A JSON value as CEL sees it: integers as int (bigint) unless the schema says number, objects as maps. */
function toCel(v: unknown, s: JSONSchemaProps | undefined): unknown {
  if (typeof v === 'number') return Number.isInteger(v) && s?.type !== 'number' ? BigInt(v) : v;
  if (typeof v === 'bigint') return s?.type === 'number' ? Number(v) : v; // an int64 beyond 2^53 (server/api/json.ts)
  if (Array.isArray(v)) return v.map((x) => toCel(x, s?.items));
  if (v !== null && typeof v === 'object') {
    const m = new Map<string, unknown>();
    for (const [k, x] of Object.entries(v)) {
      m.set(k, toCel(x, s?.properties?.[k] ?? (typeof s?.additionalProperties === 'object' ? s.additionalProperties : undefined)));
    }
    return m;
  }
  return v;
}

/** Nodes of a JSON value: the n in the cost bound. */
function size(v: unknown): number {
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + size(x), 1);
  if (v !== null && typeof v === 'object') return Object.values(v).reduce((n: number, x) => n + size(x), 1);
  return typeof v === 'string' ? 1 + Math.ceil(v.length / 64) : 1;
}

function costBound(rule: string, value: unknown): number {
  const depth = (rule.match(macros) ?? []).length;
  return rule.length * (size(value) + 1) ** depth;
}

/** Runs every rule on `obj` (and `old` for transition rules); the failures as kube reports them. */
export function validateRules(root: JSONSchemaProps, obj: unknown, old: unknown): FieldError[] {
  const errs: FieldError[] = [];
  const deadline = Date.now() + objectBudgetMs;
  walk(root, obj, old, [], errs, deadline);
  return errs;
}

function walk(s: JSONSchemaProps | undefined, v: unknown, old: unknown, path: string[], errs: FieldError[], deadline: number): void {
  if (!s || v === undefined) return;
  const at = fieldPath('/' + path.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/'));
  for (const r of s['x-kubernetes-validations'] ?? []) {
    const e = evaluate(r, s, v, old, at, deadline);
    if (e) errs.push(e);
  }
  if (Array.isArray(v)) {
    const keys = s['x-kubernetes-list-type'] === 'map' ? s['x-kubernetes-list-map-keys'] ?? [] : undefined;
    // Old items correlate only by map keys (list-type map), as in kube.
    const oldItem = (x: unknown) => keys && Array.isArray(old)
      ? old.find((o) => keys.every((k) => (o as Record<string, unknown>)?.[k] === (x as Record<string, unknown>)?.[k]))
      : undefined;
    v.forEach((x, i) => walk(s.items, x, oldItem(x), [...path, String(i)], errs, deadline));
    return;
  }
  if (v === null || typeof v !== 'object') return;
  const o = v as Record<string, unknown>;
  const oo = old !== null && typeof old === 'object' && !Array.isArray(old) ? old as Record<string, unknown> : undefined;
  for (const [k, x] of Object.entries(o)) {
    const cs = s.properties?.[k] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
    walk(cs, x, oo?.[k], [...path, k], errs, deadline);
  }
}

function evaluate(r: ValidationRule, s: JSONSchemaProps, v: unknown, old: unknown, at: string, deadline: number): FieldError | undefined {
  const transition = /\boldSelf\b/.test(r.rule);
  if (transition && old === undefined && !r.optionalOldSelf) return undefined;
  const shown = s['x-kubernetes-int-or-string'] ? jsonType(v) : s.type ?? jsonType(v);
  const path = r.fieldPath ? joinFieldPath(at, r.fieldPath) : at;
  if (Date.now() > deadline || costBound(r.rule, v) > perCallCostLimit) {
    return new RuleFailure(path, `call cost exceeds limit for rule: ${r.rule}`);
  }
  const bindings: Record<string, unknown> = { self: toCel(v, s) };
  if (transition) bindings.oldSelf = toCel(old, s);
  let result: unknown;
  try {
    result = program(r.rule)(bindings);
  } catch (e) {
    result = e;
  }
  if (result === true) return undefined;
  if (result !== false) {
    const why = isCelError(result) || result instanceof Error ? (result as Error).message : `rule did not evaluate to a bool: ${String(result)}`;
    return new RuleFailure(path, why);
  }
  let message = r.message || `failed rule: ${r.rule}`;
  if (r.messageExpression && costBound(r.messageExpression, v) <= perCallCostLimit) {
    try {
      const m = program(r.messageExpression)(bindings);
      if (typeof m === 'string' && m.trim()) message = m;
    } catch {
      // kube falls back to message when messageExpression fails
    }
  }
  switch (r.reason) {
    case 'FieldValueForbidden': return field.forbidden(path, message);
    case 'FieldValueRequired': return field.required(path, message);
    case 'FieldValueDuplicate': return new FieldError('FieldValueDuplicate', path, shown, message);
    default: return new RuleFailure(path, message);
  }
}

/** A rule's fieldPath (`.replicas`, `['a.b']`) after the node's own path. */
function joinFieldPath(at: string, rel: string): string {
  const tail = rel.replace(/\['([^']*)'\]/g, '.$1').replace(/^\./, '');
  return at ? `${at}.${tail}` : tail;
}
