// Whether a request is in a policy's matchConstraints or a binding's matchResources (kube's
// policy/matching.Matcher): namespaceSelector, objectSelector, excludeResourceRules, resourceRules
// (with resourceNames; none at all matches every resource, as a binding's may), matchPolicy
// Equivalent. Selector errors count only when the rules match.
import { ApiError } from '../api/errors.js';
import type { ResourceType } from '../registry/types.js';
import type { AdmissionAttributes } from './chain.js';
import { matchNamespaceSelector, matchObjectSelector, type MatchingContext, ruleMatches } from './webhook-matching.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

/** The resource matched (the request's own, or an equivalent under matchPolicy Equivalent), or undefined. */
export async function matchResources(m: Obj, attrs: AdmissionAttributes, ctx: MatchingContext): Promise<ResourceType | undefined> {
  let selectorError: ApiError | undefined;
  try {
    if (!(await matchNamespaceSelector(m, attrs, ctx))) return undefined;
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    selectorError = e;
  }
  if (!matchObjectSelector(m, attrs)) return undefined;
  const policy = m.matchPolicy ?? 'Equivalent';
  if (matchRules(m.excludeResourceRules ?? [], policy, attrs, ctx)) return undefined;
  const rules = (m.resourceRules ?? []) as Obj[];
  const resource = rules.length === 0 ? attrs.resource : matchRules(rules, policy, attrs, ctx);
  if (!resource) return undefined;
  if (selectorError) throw selectorError;
  return resource;
}

function matchRules(rules: Obj[], policy: string, attrs: AdmissionAttributes, ctx: MatchingContext): ResourceType | undefined {
  const named = (r: Obj) => !r.resourceNames?.length || r.resourceNames.includes(attrs.name);
  if (rules.some((r) => named(r) && ruleMatches(r, attrs, attrs.resource))) return attrs.resource;
  if (policy !== 'Equivalent') return undefined;
  const equivalents = ctx.types.sharingStorage(attrs.resource).filter((o) => o !== attrs.resource && o.resource === attrs.resource.resource);
  for (const r of rules) {
    if (!named(r)) continue;
    const eq = equivalents.find((e) => ruleMatches(r, attrs, e));
    if (eq) return eq;
  }
  return undefined;
}
