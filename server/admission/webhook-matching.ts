// Whether a request calls a webhook (kube's generic.Webhook.ShouldCallHook): namespaceSelector,
// objectSelector, rules (operations, apiGroups, apiVersions, resources with `*` and `pods/*`, scope),
// matchPolicy Equivalent (the same storage under another group/version), then matchConditions.
import { ApiError, errors } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import type { TypeRegistry } from '../registry/registry.js';
import type { ResourceType } from '../registry/types.js';
import { labelSelectorFromObject } from '../selectors/labels.js';
import type { AdmissionAttributes } from './chain.js';
import type { Webhook, WebhookSpec } from './webhook-configurations.js';
import { evaluateMatchConditions } from './webhook-match-conditions.js';

/** The resource (possibly an equivalent one) and kind a webhook is called with. */
export interface Invocation {
  hook: Webhook;
  resource: ResourceType;
}

export interface MatchingContext {
  types: TypeRegistry;
  /** A namespace's labels, from the cache (a fresh read when the cache has not seen it); undefined when it does not exist. */
  namespaceLabels(name: string): Promise<Record<string, string> | undefined>;
  /** The request as matchConditions' `request` sees it. */
  request(resource: ResourceType): unknown;
}

/** kube never calls webhooks for the admission configuration kinds themselves (IsExemptAdmissionConfigurationResource). */
const exempt = new Set(['mutatingwebhookconfigurations', 'validatingwebhookconfigurations', 'validatingadmissionpolicies',
  'validatingadmissionpolicybindings', 'mutatingadmissionpolicies', 'mutatingadmissionpolicybindings']);

export function isExempt(rt: ResourceType): boolean {
  return rt.group === 'admissionregistration.k8s.io' && exempt.has(rt.resource);
}

const isNamespaces = (rt: ResourceType) => rt.group === '' && rt.resource === 'namespaces';

/** The namespace of a request as kube's attributes carry it: a Namespace object's own name for namespaces. */
export function requestNamespace(attrs: AdmissionAttributes): string {
  return isNamespaces(attrs.resource) ? attrs.name : attrs.namespace;
}

export async function shouldCallHook(hook: Webhook, attrs: AdmissionAttributes, ctx: MatchingContext): Promise<Invocation | undefined> {
  const h = hook.spec;
  // Selector errors count only for a webhook whose rules match (kube evaluates them first, reports them after).
  let selectorError: ApiError | undefined;
  try {
    if (!(await matchNamespaceSelector(h, attrs, ctx))) return undefined;
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    selectorError = e;
  }
  if (!matchObjectSelector(h, attrs)) return undefined;

  let resource = (h.rules ?? []).some((r: WebhookSpec) => ruleMatches(r, attrs, attrs.resource)) ? attrs.resource : undefined;
  if (!resource && h.matchPolicy === 'Equivalent') {
    const equivalents = ctx.types.sharingStorage(attrs.resource).filter((o) => o !== attrs.resource && o.resource === attrs.resource.resource);
    // Earlier rules first, as kube's.
    outer: for (const r of h.rules ?? []) {
      for (const eq of equivalents) {
        if (ruleMatches(r, attrs, eq)) {
          resource = eq;
          break outer;
        }
      }
    }
  }
  if (!resource) return undefined;
  if (selectorError) throw selectorError;

  const conditions = h.matchConditions ?? [];
  if (conditions.length) {
    const result = evaluateMatchConditions(conditions, { object: attrs.object, oldObject: attrs.oldObject, request: ctx.request(resource) }, h.failurePolicy ?? 'Fail');
    if ('error' in result) {
      const gr = attrs.resource.group ? `${attrs.resource.resource}.${attrs.resource.group}` : attrs.resource.resource;
      throw errors.forbidden(`${gr} "${attrs.name}" is forbidden: ${result.error}`, { name: attrs.name, group: attrs.resource.group || undefined, kind: attrs.resource.resource });
    }
    if (!result.matches) return undefined;
  }
  return { hook, resource };
}

/** kube's rules.Matcher against `rt` in place of the request's own resource (matchPolicy Equivalent). */
export function ruleMatches(rule: WebhookSpec, attrs: AdmissionAttributes, rt: ResourceType): boolean {
  const any = (list: string[] | undefined, v: string) => (list ?? []).some((x) => x === '*' || x === v);
  if (!any(rule.operations, attrs.operation)) return false;
  if (!any(rule.apiGroups, rt.group) || !any(rule.apiVersions, rt.version)) return false;
  const resourceMatch = (rule.resources ?? []).some((entry: string) => {
    const slash = entry.indexOf('/');
    const res = slash < 0 ? entry : entry.slice(0, slash);
    const sub = slash < 0 ? '' : entry.slice(slash + 1);
    return (res === '*' || res === rt.resource) && (sub === '*' || sub === attrs.subresource);
  });
  if (!resourceMatch) return false;
  const ns = requestNamespace(attrs);
  switch (rule.scope ?? '*') {
    case 'Namespaced': return !isNamespaces(attrs.resource) && ns !== '';
    case 'Cluster': return isNamespaces(attrs.resource) || ns === '';
    default: return true;
  }
}

/** kube's namespace.Matcher: cluster-scoped requests always match; a Namespace's own labels on its create and update. */
export async function matchNamespaceSelector(h: WebhookSpec, attrs: AdmissionAttributes, ctx: MatchingContext): Promise<boolean> {
  const ns = requestNamespace(attrs);
  if (!ns && !isNamespaces(attrs.resource)) return true;
  const selector = labelSelectorFromObject(h.namespaceSelector);
  if (selector.empty) return true;
  let labels: Record<string, string> | undefined;
  if (isNamespaces(attrs.resource) && (attrs.operation === 'CREATE' || attrs.operation === 'UPDATE')) labels = attrs.object?.metadata.labels ?? {};
  else {
    labels = await ctx.namespaceLabels(ns);
    if (!labels) throw errors.notFound({ group: '', resource: 'namespaces' }, ns);
  }
  return selector.matches(labels);
}

/** kube's object.Matcher: the new or the old object's labels. */
export function matchObjectSelector(h: WebhookSpec, attrs: AdmissionAttributes): boolean {
  const selector = labelSelectorFromObject(h.objectSelector);
  if (selector.empty) return true;
  const matches = (o: KubeObject | undefined) => Boolean(o) && selector.matches(o!.metadata?.labels ?? {});
  return matches(attrs.object) || matches(attrs.oldObject);
}
