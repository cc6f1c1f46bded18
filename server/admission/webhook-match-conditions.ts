// A webhook's matchConditions: CEL expressions over `object`, `oldObject` and `request` that must all
// be true for the webhook to be called (kube's matchconditions.Matcher). A false one skips the webhook;
// errors with none false follow failurePolicy: Fail refuses the request, Ignore skips the webhook.
// `authorizer` and `params` are not bound: an expression that uses them errors.
import { celEnv, isCelError } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { FieldError, field } from '../api/errors.js';
import { cachedPrograms } from './cel-programs.js';
import { isQualifiedName } from '../validation/names.js';

export interface MatchCondition { name: string; expression: string }

/** kube bounds an expression's cost; a length bound keeps parse and evaluation small here. */
const maxExpressionLength = 5120;
const maxConditions = 64;

const program = cachedPrograms(celEnv({ funcs: strings }));


/** validateMatchConditions: at most 64, names qualified and unique, expressions present and parsable. */
export function matchConditionErrors(conditions: unknown, at: string): FieldError[] {
  if (!Array.isArray(conditions)) return [];
  const errs: FieldError[] = [];
  if (conditions.length > maxConditions) errs.push(new FieldError('FieldValueTooMany', at, conditions.length, `must have at most ${maxConditions} items`));
  const names = new Set<string>();
  conditions.forEach((c: Partial<MatchCondition> | null, i) => {
    const here = `${at}[${i}]`;
    if (!c?.name) errs.push(field.required(`${here}.name`, ''));
    else {
      for (const m of isQualifiedName(c.name)) errs.push(field.invalid(`${here}.name`, c.name, m));
      if (names.has(c.name)) errs.push(field.duplicate(`${here}.name`, c.name));
      names.add(c.name);
    }
    if (!c?.expression) return errs.push(field.required(`${here}.expression`, ''));
    if (c.expression.length > maxExpressionLength) return errs.push(field.tooLong(`${here}.expression`, '', maxExpressionLength));
    try {
      program(c.expression);
    } catch (e) {
      errs.push(field.invalid(`${here}.expression`, c.expression, `compilation failed: ERROR: <input>:${(e as Error).message.replace(/^syntax error: <input>:/, '')}`));
    }
  });
  return errs;
}

export type MatchResult = { matches: true } | { matches: false } | { matches: false; error: string };

/** Evaluates every condition; `failurePolicy` decides what errors mean when none is false. */
export function evaluateMatchConditions(conditions: MatchCondition[], vars: { object: unknown; oldObject: unknown; request: unknown }, failurePolicy: string): MatchResult {
  const bindings = { object: toCel(vars.object ?? null), oldObject: toCel(vars.oldObject ?? null), request: toCel(vars.request) };
  const failures: string[] = [];
  for (const c of conditions) {
    let result: unknown;
    try {
      result = program(c.expression)(bindings);
    } catch (e) {
      result = e;
    }
    if (result === false) return { matches: false };
    if (result === true) continue;
    const why = isCelError(result) || result instanceof Error ? (result as Error).message : `expression '${c.expression}' resulted in non-bool type`;
    failures.push(`failed to evaluate condition ${JSON.stringify(c.name)}: ${why}`);
  }
  if (failures.length === 0) return { matches: true };
  if (failurePolicy === 'Ignore') return { matches: false };
  return { matches: false, error: failures.length === 1 ? failures[0] : `[${failures.join(', ')}]` };
}

/** JSON as CEL sees an unstructured object: integers as int, objects as maps. */
export function toCel(v: unknown): unknown {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(toCel);
  if (v !== null && typeof v === 'object') return new Map(Object.entries(v).map(([k, x]) => [k, toCel(x)]));
  return v;
}
