// rbac/v1 rule and subject matching, as kube's rbac/v1 helpers (RuleAllows, appliesTo): what one
// PolicyRule grants and which users one binding subject names.
import { serviceAccountUsername } from '../../authentication/serviceaccount/user.js';
import type { UserInfo } from '../../authentication/user.js';
import type { Attributes } from '../authorizer.js';

export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface Subject {
  kind: string;
  apiGroup?: string;
  name: string;
  namespace?: string;
}

const all = '*';

export const verbMatches = (r: PolicyRule, verb: string): boolean => r.verbs.includes(all) || r.verbs.includes(verb);

export const apiGroupMatches = (r: PolicyRule, group: string): boolean => (r.apiGroups ?? []).some((g) => g === all || g === group);

/** "*", the resource ("pods") or "resource/subresource" ("pods/log"), or "*\/subresource" for any resource's subresource. */
export function resourceMatches(r: PolicyRule, resource: string, subresource: string): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  return (r.resources ?? []).some((res) => res === all || res === combined || (subresource !== '' && res === `*/${subresource}`));
}

/** No resourceNames means every name; with names, only a named request matches (a list or create has none). */
export const resourceNameMatches = (r: PolicyRule, name: string): boolean => !(r.resourceNames ?? []).length || r.resourceNames!.includes(name);

/** An exact path, "*", or a prefix ending in "*". */
export function nonResourceURLMatches(r: PolicyRule, path: string): boolean {
  return (r.nonResourceURLs ?? []).some((u) => u === all || u === path || (u.endsWith(all) && path.startsWith(u.slice(0, -1))));
}

export function ruleAllows(a: Attributes, r: PolicyRule): boolean {
  if (a.isResourceRequest) {
    return verbMatches(r, a.verb) && apiGroupMatches(r, a.apiGroup) && resourceMatches(r, a.resource, a.subresource) && resourceNameMatches(r, a.name);
  }
  return verbMatches(r, a.verb) && nonResourceURLMatches(r, a.path);
}

/** Whether a binding's subject names this user; a ServiceAccount subject without a namespace means the binding's own. */
export function appliesTo(user: UserInfo, s: Subject, bindingNamespace: string): boolean {
  switch (s.kind) {
    case 'User': return user.name === s.name;
    case 'Group': return user.groups.includes(s.name);
    case 'ServiceAccount': return user.name === serviceAccountUsername(s.namespace || bindingNamespace, s.name);
    default: return false;
  }
}

/**
 * The keys a user is indexed under: its name, each group, and (for a service account) nothing more —
 * a ServiceAccount subject is indexed under the user name it stands for.
 */
export function userKeys(user: UserInfo): string[] {
  return [`User:${user.name}`, ...user.groups.map((g) => `Group:${g}`)];
}

/** The key a subject is indexed under, matching userKeys; undefined for a kind no user can match. */
export function subjectKey(s: Subject, bindingNamespace: string): string | undefined {
  switch (s.kind) {
    case 'User': return `User:${s.name}`;
    case 'Group': return `Group:${s.name}`;
    case 'ServiceAccount': return `User:${serviceAccountUsername(s.namespace || bindingNamespace, s.name)}`;
    default: return undefined;
  }
}

/** Go's %q for the strings kube quotes in its messages. */
export const quote = (s: string): string => JSON.stringify(s);

/** kube's describeSubject: service accounts as "name/namespace". */
export function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount') return `${s.kind} ${quote(`${s.name}/${s.namespace || bindingNamespace}`)}`;
  return `${s.kind} ${quote(s.name)}`;
}
