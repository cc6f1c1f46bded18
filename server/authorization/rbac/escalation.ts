// kube's RBAC escalation check (registry/rbac/validation ConfirmNoEscalation and component-helpers'
// Covers): a user may write a role, or bind one, only when the rules it holds cover every rule it grants.
// Rules are broken down to one verb, group, resource and name each, so one owner rule covers a piece or not.
import type { UserInfo } from '../../authentication/user.js';
import type { PolicyRule } from './rules.js';
import { trimRight } from '../../api/trim.js';

const has = (set: string[] | undefined, v: string): boolean => (set ?? []).includes(v);
const hasAll = (set: string[] | undefined, vs: string[] | undefined): boolean => (vs ?? []).every((v) => has(set, v));

export function breakdownRule(r: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const group of r.apiGroups ?? []) {
    for (const resource of r.resources ?? []) {
      for (const verb of r.verbs) {
        if ((r.resourceNames ?? []).length) for (const name of r.resourceNames!) out.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] });
        else out.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
      }
    }
  }
  for (const url of r.nonResourceURLs ?? []) for (const verb of r.verbs) out.push({ nonResourceURLs: [url], verbs: [verb] });
  return out;
}

function resourceCoversAll(set: string[] | undefined, covers: string[] | undefined): boolean {
  if (has(set, '*') || hasAll(set, covers)) return true;
  return (covers ?? []).every((p) => has(set, p) || (p.includes('/') && has(set, `*/${p.slice(p.indexOf('/') + 1)}`)));
}

const nonResourceURLCovers = (owner: string, sub: string): boolean => owner === sub || (owner.endsWith('*') && sub.startsWith(trimRight(owner, '*')));

function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const names = (sub.resourceNames ?? []).length === 0 ? (owner.resourceNames ?? []).length === 0 : (owner.resourceNames ?? []).length === 0 || hasAll(owner.resourceNames, sub.resourceNames);
  return (has(owner.verbs, '*') || hasAll(owner.verbs, sub.verbs))
    && (has(owner.apiGroups, '*') || hasAll(owner.apiGroups, sub.apiGroups))
    && resourceCoversAll(owner.resources, sub.resources)
    && (sub.nonResourceURLs ?? []).every((p) => (owner.nonResourceURLs ?? []).some((o) => nonResourceURLCovers(o, p)))
    && names;
}

/** Whether the owner's rules cover the servant's, and the pieces they do not. */
export function covers(ownerRules: PolicyRule[], servantRules: PolicyRule[]): { covered: boolean; missing: PolicyRule[] } {
  const missing = servantRules.flatMap(breakdownRule).filter((sub) => !ownerRules.some((o) => ruleCovers(o, sub)));
  return { covered: missing.length === 0, missing };
}

/** Go's %q of a []string: ["a" "b"]. */
const quoteList = (vs: string[]): string => `[${vs.map((v) => JSON.stringify(v)).join(' ')}]`;

/** rbacv1helpers.CompactString. */
export function compactString(r: PolicyRule): string {
  const parts: string[] = [];
  if ((r.apiGroups ?? []).length) parts.push(`APIGroups:${quoteList(r.apiGroups!)}`);
  if ((r.resources ?? []).length) parts.push(`Resources:${quoteList(r.resources!)}`);
  if ((r.nonResourceURLs ?? []).length) parts.push(`NonResourceURLs:${quoteList(r.nonResourceURLs!)}`);
  if ((r.resourceNames ?? []).length) parts.push(`ResourceNames:${quoteList(r.resourceNames!)}`);
  if (r.verbs.length) parts.push(`Verbs:${quoteList(r.verbs)}`);
  return `{${parts.join(', ')}}`;
}

/** CompactRules: the verbs of rules on the same one group, resource and name merged into one rule. */
function compactRules(rules: PolicyRule[]): PolicyRule[] {
  const out: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const r of rules) {
    const isSimple = (r.resourceNames ?? []).length <= 1 && !(r.nonResourceURLs ?? []).length && (r.apiGroups ?? []).length === 1 && (r.resources ?? []).length === 1;
    if (!isSimple) {
      out.push(r);
      continue;
    }
    const key = JSON.stringify([r.apiGroups![0], r.resources![0], r.resourceNames?.[0] ?? null]);
    const existing = simple.get(key);
    if (existing) existing.verbs = [...existing.verbs, ...r.verbs];
    else simple.set(key, { ...r, verbs: [...r.verbs] });
  }
  return [...out, ...simple.values()];
}

/**
 * ConfirmNoEscalation's message when the user's rules do not cover `rules`, else undefined: the
 * missing rules compacted, one per line, sorted and without duplicates.
 */
export function escalationError(user: UserInfo, ownerRules: PolicyRule[], rules: PolicyRule[], resolutionError?: string): string | undefined {
  const { covered, missing } = covers(ownerRules, rules);
  if (covered) return undefined;
  const lines = [...new Set(compactRules(missing).map(compactString))].sort();
  let msg = `user ${JSON.stringify(user.name)} (groups=${quoteList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${lines.join('\n')}`;
  if (resolutionError) msg += `; resolution errors: [${resolutionError}]`;
  return msg;
}
