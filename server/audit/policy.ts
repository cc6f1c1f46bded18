// The audit policy (audit.k8s.io/v1 Policy, --audit-policy-file): rules in order, the first that
// matches a request decides its level and the stages left out; no match means level None. Loading
// and validation follow kube's policy reader and validation; matching follows its policy checker.
import { parse as parseYAML } from 'yaml';
import type { Attributes } from '../authorization/authorizer.js';
import { trimRight } from '../api/trim.js';

export type Level = 'None' | 'Metadata' | 'Request' | 'RequestResponse';
export type Stage = 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete' | 'Panic';

const levels: readonly Level[] = ['None', 'Metadata', 'Request', 'RequestResponse'];
const stages: readonly Stage[] = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];

/** True when `a` records less than `b` (kube's Level.Less). */
export function levelLess(a: Level, b: Level): boolean {
  return levels.indexOf(a) < levels.indexOf(b);
}

export interface GroupResources {
  group?: string;
  resources?: string[];
  resourceNames?: string[];
}

export interface PolicyRule {
  level: Level;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: GroupResources[];
  namespaces?: string[];
  nonResourceURLs?: string[];
  omitStages?: Stage[];
  omitManagedFields?: boolean;
}

export interface Policy {
  rules: PolicyRule[];
  omitStages?: Stage[];
  omitManagedFields?: boolean;
}

/** What the policy says about one request (kube's RequestAuditConfig). */
export interface RequestAuditConfig {
  level: Level;
  omitStages: readonly Stage[];
  omitManagedFields: boolean;
}

export class PolicyError extends Error {}

/**
 * Parses and validates a policy file's text (YAML or JSON). The top-level omitStages join every
 * rule's, as kube's reader does, so evaluation reads the rule alone.
 */
export function loadPolicy(text: string, file = 'policy'): Policy {
  let doc: unknown;
  try {
    doc = parseYAML(text);
  } catch (e) {
    throw new PolicyError(`failed decoding audit policy file ${file}: ${(e as Error).message}`);
  }
  if (!isObject(doc)) throw new PolicyError(`failed decoding audit policy file ${file}: not an object`);
  if (doc.kind !== 'Policy' || doc.apiVersion !== 'audit.k8s.io/v1') {
    throw new PolicyError(`failed decoding audit policy file ${file}: want kind Policy, apiVersion audit.k8s.io/v1; got kind ${JSON.stringify(doc.kind)}, apiVersion ${JSON.stringify(doc.apiVersion)}`);
  }
  const policy = doc as unknown as Policy;
  const errs = validatePolicy(policy);
  if (errs.length) throw new PolicyError(`invalid audit policy file ${file}: ${errs.join(', ')}`);
  if (!policy.rules?.length) throw new PolicyError(`loaded illegal policy with 0 rules from file ${file}`);
  const top = policy.omitStages ?? [];
  return {
    omitStages: top,
    omitManagedFields: policy.omitManagedFields ?? false,
    rules: policy.rules.map((r) => ({ ...r, omitStages: [...new Set([...top, ...(r.omitStages ?? [])])] })),
  };
}

/** kube's ValidatePolicy, as field errors. */
export function validatePolicy(p: Policy): string[] {
  const errs: string[] = [];
  validateStages(p.omitStages, 'omitStages', errs);
  if (p.rules !== undefined && !Array.isArray(p.rules)) errs.push('rules: Invalid value: must be a list');
  (Array.isArray(p.rules) ? p.rules : []).forEach((r, i) => {
    const at = `rules[${i}]`;
    if (!isObject(r)) {
      errs.push(`${at}: Invalid value: must be an object`);
      return;
    }
    if (!r.level) errs.push(`${at}.level: Required value`);
    else if (!levels.includes(r.level)) errs.push(`${at}.level: Unsupported value: ${JSON.stringify(r.level)}: supported values: ${levels.map((l) => `"${l}"`).join(', ')}`);
    for (const f of ['users', 'userGroups', 'verbs', 'namespaces', 'nonResourceURLs'] as const) {
      if (r[f] !== undefined && !isStringList(r[f])) errs.push(`${at}.${f}: Invalid value: must be a list of strings`);
    }
    const urls = isStringList(r.nonResourceURLs) ? r.nonResourceURLs : [];
    if (urls.length && (r.resources?.length || r.namespaces?.length)) {
      errs.push(`${at}.nonResourceURLs: Invalid value: ${JSON.stringify(urls)}: rules cannot apply to both regular resources and non-resource URLs`);
    }
    urls.forEach((u, j) => {
      if (!u) errs.push(`${at}.nonResourceURLs[${j}]: Invalid value: "": empty non-resource URLs are not allowed`);
      else if (u !== '*' && !u.startsWith('/')) errs.push(`${at}.nonResourceURLs[${j}]: Invalid value: ${JSON.stringify(u)}: non-resource URL rules must begin with a '/' character`);
      else if (u.slice(0, -1).includes('*')) errs.push(`${at}.nonResourceURLs[${j}]: Invalid value: ${JSON.stringify(u)}: non-resource URL wildcards '*' must be the final character of the rule`);
    });
    if (r.resources !== undefined && !Array.isArray(r.resources)) errs.push(`${at}.resources: Invalid value: must be a list`);
    (Array.isArray(r.resources) ? r.resources : []).forEach((g, j) => {
      const gat = `${at}.resources[${j}]`;
      if (!isObject(g)) return errs.push(`${gat}: Invalid value: must be an object`);
      if (g.group !== undefined && (typeof g.group !== 'string' || g.group.includes('/'))) errs.push(`${gat}.group: Invalid value: ${JSON.stringify(g.group)}: must be a DNS subdomain`);
      if (g.resources !== undefined && !isStringList(g.resources)) errs.push(`${gat}.resources: Invalid value: must be a list of strings`);
      if (g.resourceNames !== undefined && !isStringList(g.resourceNames)) errs.push(`${gat}.resourceNames: Invalid value: must be a list of strings`);
      if (g.resourceNames?.length && (g.resources ?? []).some((res) => res === '*' || res.startsWith('*/'))) {
        errs.push(`${gat}.resourceNames: Invalid value: ${JSON.stringify(g.resourceNames)}: using resource names with wildcard resources is not allowed`);
      }
    });
    validateStages(r.omitStages, `${at}.omitStages`, errs);
    if (r.omitManagedFields !== undefined && typeof r.omitManagedFields !== 'boolean') errs.push(`${at}.omitManagedFields: Invalid value: must be a boolean`);
  });
  return errs;
}

function validateStages(s: unknown, at: string, errs: string[]): void {
  if (s === undefined) return;
  if (!Array.isArray(s)) return void errs.push(`${at}: Invalid value: must be a list`);
  s.forEach((v, i) => {
    if (!stages.includes(v as Stage)) errs.push(`${at}[${i}]: Unsupported value: ${JSON.stringify(v)}: supported values: ${stages.map((x) => `"${x}"`).join(', ')}`);
  });
}

const none: RequestAuditConfig = { level: 'None', omitStages: [], omitManagedFields: false };

/** The first rule that matches decides; none matching means None (kube's DefaultAuditLevel). */
export function evaluatePolicy(p: Policy, a: Attributes): RequestAuditConfig {
  for (const r of p.rules) {
    if (ruleMatches(r, a)) return { level: r.level, omitStages: r.omitStages ?? [], omitManagedFields: r.omitManagedFields ?? p.omitManagedFields ?? false };
  }
  return { ...none, omitStages: p.omitStages ?? [], omitManagedFields: p.omitManagedFields ?? false };
}

function ruleMatches(r: PolicyRule, a: Attributes): boolean {
  if (r.users?.length && !r.users.includes(a.user.name)) return false;
  if (r.userGroups?.length && !a.user.groups.some((g) => r.userGroups!.includes(g))) return false;
  if (r.verbs?.length && !r.verbs.includes(a.verb)) return false;
  if (r.namespaces?.length || r.resources?.length) return resourceMatches(r, a);
  if (r.nonResourceURLs?.length) return !a.isResourceRequest && r.nonResourceURLs.some((spec) => pathMatches(a.path, spec));
  return true;
}

function pathMatches(path: string, spec: string): boolean {
  if (spec === '*' || spec === path) return true;
  return spec.endsWith('*') && path.startsWith(trimRight(spec, '*'));
}

function resourceMatches(r: PolicyRule, a: Attributes): boolean {
  if (!a.isResourceRequest) return false;
  // Cluster-scoped requests have the empty namespace, which a rule may list.
  if (r.namespaces?.length && !r.namespaces.includes(a.namespace)) return false;
  if (!r.resources?.length) return true;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  for (const g of r.resources) {
    if ((g.group ?? '') !== a.apiGroup) continue;
    if (!g.resources?.length) return true;
    if (g.resourceNames?.length && !g.resourceNames.includes(a.name)) continue;
    for (const res of g.resources) {
      if (res === combined || res === '*') return true;
      if (a.subresource && res.startsWith('*/') && res.slice(2) === a.subresource) return true;
      if (res.endsWith('/*') && res.slice(0, -2) === a.resource) return true;
    }
  }
  return false;
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isStringList(v: unknown): v is string[] {
  return Array.isArray(v) && v.every((s) => typeof s === 'string');
}
