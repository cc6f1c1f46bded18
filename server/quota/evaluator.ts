// kube's quota.Evaluator: what a resource costs, which quota names it answers to, and which scopes it falls in.
import type { KubeObject } from '../api/object.js';
import { quantity } from '../api/quantity.js';
import type { ResourceList } from './resource-list.js';

/** A scope a quota restricts itself to: spec.scopes (operator Exists) or spec.scopeSelector's expressions. */
export interface ScopeSelector {
  scopeName: string;
  operator: string;
  values?: string[];
}

export interface EvaluatedRequest {
  operation: string;
  subresource: string;
  object?: KubeObject;
  oldObject?: KubeObject;
}

export interface Evaluator {
  /** Whether this request can change usage (kube's Handles). */
  handles(req: EvaluatedRequest): boolean;
  /** The names among a quota's hard names this evaluator counts. */
  matchingResources(names: string[]): string[];
  /** Whether the object falls in one scope (false for scopes the resource does not know). */
  matchesScope(scope: ScopeSelector, obj: KubeObject): boolean;
  /** Why the object cannot be admitted under a quota that constrains `required` (kube's Constraints), or undefined. */
  constraints(required: string[], obj: KubeObject): string | undefined;
  usage(obj: KubeObject): ResourceList;
}

/** count/<resource>[.<group>], the generic object count name. */
export function objectCountName(group: string, resource: string): string {
  return group ? `count/${resource}.${group}` : `count/${resource}`;
}

/** The generic object count evaluator (kube's generic.NewObjectCountEvaluator), with a legacy alias for a few core kinds. */
export function objectCountEvaluator(group: string, resource: string, alias?: string): Evaluator {
  const names = [objectCountName(group, resource), ...(alias ? [alias] : [])];
  return {
    handles: (req) => req.subresource === '' && req.operation === 'CREATE',
    matchingResources: (input) => input.filter((n) => names.includes(n)),
    matchesScope: () => false,
    constraints: () => undefined,
    usage: () => Object.fromEntries(names.map((n) => [n, quantity(1)])),
  };
}

/** The selectors of a quota: spec.scopes as Exists, then spec.scopeSelector.matchExpressions. */
export function scopeSelectorsOf(quota: KubeObject): ScopeSelector[] {
  const spec = (quota.spec ?? {}) as { scopes?: string[]; scopeSelector?: { matchExpressions?: ScopeSelector[] } };
  return [
    ...(spec.scopes ?? []).map((scopeName) => ({ scopeName, operator: 'Exists' })),
    ...(spec.scopeSelector?.matchExpressions ?? []),
  ];
}

/** A value against a scope selector's operator, as kube's ScopedResourceSelectorRequirementsAsSelector matches a one-label set. */
export function selectorMatchesValue(scope: ScopeSelector, value: string | undefined): boolean {
  switch (scope.operator) {
    case 'In': return value !== undefined && (scope.values ?? []).includes(value);
    case 'NotIn': return value === undefined || !(scope.values ?? []).includes(value);
    case 'Exists': return value !== undefined;
    case 'DoesNotExist': return value === undefined;
    default: return false;
  }
}
