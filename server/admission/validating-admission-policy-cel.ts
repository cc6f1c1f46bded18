// CEL for ValidatingAdmissionPolicy (kube's plugin/cel filter and composition): expressions compiled
// once, evaluated over `object`, `oldObject`, `request`, `params`, `namespaceObject` and `variables`
// (each variable computed on first use, then kept for the request) and `authorizer`. Cost is bounded before an
// expression runs, as server/apiextensions/cel.ts does: its length times the input's size to the
// power of its macros; past kube's per-call limit it is refused, past the request's budget so is the rest.
import { celEnv, isCelError } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { FieldError, field } from '../api/errors.js';
import { cachedPrograms } from './cel-programs.js';
import { authzFuncs } from './validating-admission-policy-authorizer.js';
import { toCel } from './webhook-match-conditions.js';

/** kube's celconfig.PerCallLimit and RuntimeCELCostBudget. */
export const perCallCostLimit = 1_000_000;
export const runtimeCostBudget = 10_000_000;
/** Longest expression accepted (kube bounds by estimated cost; this keeps parsing cheap). */
export const maxExpressionLength = 5120;

const program = cachedPrograms(celEnv({ funcs: [...strings, ...authzFuncs] }));
const macros = /\.\s*(all|exists|exists_one|map|filter)\s*\(/g;


/** A compile error as kube's validation reports it, or undefined. */
export function compileError(expression: string, at: string): FieldError | undefined {
  if (expression.length > maxExpressionLength) return field.tooLong(at, '', maxExpressionLength);
  try {
    program(expression);
    return undefined;
  } catch (e) {
    return field.invalid(at, expression, `compilation failed: ERROR: <input>:${(e as Error).message.replace(/^syntax error: <input>:/, '').replace(/^<input>:/, '')}`);
  }
}

export type Evaluation = { value: unknown } | { error: string };

/** JSON nodes of the request's inputs: the n in the cost bound. */
export function inputSize(v: unknown): number {
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + inputSize(x), 1);
  if (v !== null && typeof v === 'object') return Object.values(v).reduce((n: number, x) => n + inputSize(x), 1);
  return typeof v === 'string' ? 1 + Math.ceil(v.length / 64) : 1;
}

function costBound(expression: string, size: number): number {
  return expression.length * (size + 1) ** (expression.match(macros) ?? []).length;
}

export interface Variable { name: string; expression: string }

/** A request's inputs in CEL form, each converted on first use and shared by every policy and binding the request meets. */
export class RequestInputs {
  private readonly cel = new Map<string, unknown>();
  private inputsSize?: number;

  constructor(private readonly raw: { object: unknown; oldObject: unknown; request: unknown; namespaceObject: unknown; authorizer?: Map<string, unknown> }) {}

  value(name: 'object' | 'oldObject' | 'request' | 'namespaceObject'): unknown {
    if (!this.cel.has(name)) this.cel.set(name, toCel(this.raw[name] ?? null));
    return this.cel.get(name);
  }

  get authorizer(): Map<string, unknown> | null {
    return this.raw.authorizer ?? null;
  }

  /** The objects' size, for the cost bound. */
  get size(): number {
    return (this.inputsSize ??= inputSize(this.raw.object) + inputSize(this.raw.oldObject));
  }
}

/** One evaluation context: a request's inputs and one param, the variables (lazy) and the cost left for this request. */
export class PolicyActivation {
  private readonly bindings: Record<string, unknown>;
  private readonly size: number;
  private budget = runtimeCostBudget;

  constructor(inputs: RequestInputs, params: unknown, variables: Variable[]) {
    this.size = inputs.size + (params ? inputSize(params) : 0);
    const celParams = toCel(params ?? null);
    const vars = new LazyVariables(variables, (v) => {
      const r = this.evaluate(v.expression);
      if ('error' in r) throw new Error(`composited variable "${v.name}" fails to evaluate: ${r.error}`);
      return r.value;
    });
    // Getters: an input no expression reads is never converted.
    this.bindings = {
      get object() { return inputs.value('object'); },
      get oldObject() { return inputs.value('oldObject'); },
      get request() { return inputs.value('request'); },
      get namespaceObject() { return inputs.value('namespaceObject'); },
      params: celParams, authorizer: inputs.authorizer, variables: vars,
    };
  }

  /** Runs one expression; errors in kube's words. */
  evaluate(expression: string): Evaluation {
    const cost = costBound(expression, this.size);
    if (cost > perCallCostLimit) return { error: `expression '${expression}' resulted in error: operation cancelled: actual cost limit exceeded` };
    if (cost > this.budget) return { error: 'validation failed due to running out of cost budget, no further validation rules will be run' };
    this.budget -= cost;
    let result: unknown;
    try {
      result = program(expression)(this.bindings);
    } catch (e) {
      result = e;
    }
    if (isCelError(result) || result instanceof Error) return { error: `expression '${expression}' resulted in error: ${(result as Error).message}` };
    return { value: result };
  }
}

/** `variables`: each computed when first read, in the same request at most once. */
class LazyVariables extends Map<string, unknown> {
  private readonly byName: Map<string, Variable>;
  private readonly done = new Map<string, { value: unknown } | { error: Error }>();

  constructor(variables: Variable[], private readonly compute: (v: Variable) => unknown) {
    super();
    this.byName = new Map(variables.map((v) => [v.name, v]));
  }

  override get(name: string): unknown {
    const v = this.byName.get(name);
    if (!v) return undefined;
    let r = this.done.get(name);
    if (!r) {
      try {
        r = { value: this.compute(v) };
      } catch (e) {
        r = { error: e as Error };
      }
      this.done.set(name, r);
    }
    if ('error' in r) throw r.error;
    return r.value;
  }

  override has(name: string): boolean {
    return this.byName.has(name);
  }
}
