// kube's RBAC registry escalation check (registry/rbac/*/policybased): writing a Role or ClusterRole
// needs the rules it grants, or `escalate` on it; writing a binding needs the bound role's rules, or
// `bind` on it. system:masters and the server's own writes (no user) pass.
import { ApiError, errors } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { mastersGroup, type UserInfo } from '../../authentication/user.js';
import type { Attributes } from '../../authorization/authorizer.js';
import { escalationError } from '../../authorization/rbac/escalation.js';
import type { PolicyRule } from '../../authorization/rbac/rules.js';
import type { ResourceType, StrategyContext } from '../../registry/types.js';

const group = 'rbac.authorization.k8s.io';
const fullAuthority: PolicyRule[] = [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }];

/**
 * kube's IsOnlyMutatingGCFields: an update that changes only owner references or finalizers (the
 * garbage collector's and namespace deletion's writes) is not checked.
 */
export function onlyGarbageCollectionFields(obj: KubeObject, old: KubeObject): boolean {
  const stomped = { ...obj, metadata: { ...obj.metadata } };
  for (const k of ['ownerReferences', 'finalizers', 'managedFields', 'resourceVersion'] as const) {
    if (old.metadata[k] === undefined) delete stomped.metadata[k];
    else (stomped.metadata as Record<string, unknown>)[k] = old.metadata[k];
  }
  return JSON.stringify(canonical(stomped)) === JSON.stringify(canonical(old));
}

/** Keys sorted, so equal objects compare equal whatever order their fields came in. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  return v;
}

/** The user to check, or undefined when the write is exempt. */
function checkedUser(ctx: StrategyContext): UserInfo | undefined {
  if (!ctx.user || !ctx.authorization || ctx.user.groups.includes(mastersGroup)) return undefined;
  return ctx.user;
}

function allowed(ctx: StrategyContext, a: Omit<Attributes, 'user' | 'isResourceRequest' | 'path' | 'apiVersion' | 'subresource'>): boolean {
  return ctx.authorization!.authorizer.authorize({ ...a, user: ctx.user!, isResourceRequest: true, path: '', apiVersion: '*', subresource: '' }).decision === 'allow';
}

/** The rules the user holds where the object lives, and why the list may be short. */
function ownerRules(ctx: StrategyContext, user: UserInfo): { rules: PolicyRule[]; error?: string } {
  const r = ctx.authorization!.ruleResolver.rulesFor(user, ctx.namespace);
  return { rules: [...r.resourceRules, ...r.nonResourceRules], error: r.evaluationError };
}

function refuse(rt: ResourceType, name: string, ctx: StrategyContext, user: UserInfo, rules: PolicyRule[]): void {
  const owner = ownerRules(ctx, user);
  const msg = escalationError(user, owner.rules, rules, owner.error);
  if (msg) throw errors.forbiddenResource(rt.group, rt.resource, name, msg);
}

/** Roles and ClusterRoles: `name` is the path's (empty on create), as kube's RoleEscalationAuthorized asks. */
export function roleEscalationCheck(rt: ResourceType, pathName: (obj: KubeObject) => string) {
  return async (obj: KubeObject, ctx: StrategyContext): Promise<void> => {
    const user = checkedUser(ctx);
    if (!user) return;
    if (allowed(ctx, { verb: 'escalate', namespace: ctx.namespace, apiGroup: rt.group, resource: rt.resource, name: pathName(obj) })) return;
    const name = obj.metadata.name ?? '';
    refuse(rt, name, ctx, user, (obj.rules ?? []) as PolicyRule[]);
    // An aggregationRule can gather anything: it takes * on *.
    if (obj.aggregationRule && escalationError(user, ownerRules(ctx, user).rules, fullAuthority)) {
      throw errors.forbiddenResource(rt.group, rt.resource, name, 'must have cluster-admin privileges to use the aggregationRule');
    }
  };
}

/** RoleBindings and ClusterRoleBindings: `bind` on the role, or hold its rules. */
export function bindingEscalationCheck(rt: ResourceType) {
  return async (obj: KubeObject, ctx: StrategyContext): Promise<void> => {
    const user = checkedUser(ctx);
    if (!user) return;
    const ref = (obj.roleRef ?? {}) as { apiGroup?: string; kind?: string; name?: string };
    const resource = ref.kind === 'ClusterRole' ? 'clusterroles' : ref.kind === 'Role' ? 'roles' : '';
    if (!resource) return;
    if (allowed(ctx, { verb: 'bind', namespace: ctx.namespace, apiGroup: ref.apiGroup ?? group, resource, name: ref.name ?? '' })) return;
    const roleType = ctx.types.lookup(group, 'v1', resource)!;
    // A missing role is a NotFound, named (as kube's getter names it) with the binding's resource.
    const role = await ctx.store.get(roleType, resource === 'roles' ? ctx.namespace : '', ref.name ?? '').catch((e: unknown) => {
      throw e instanceof ApiError && e.reason === 'NotFound' ? errors.notFound({ group: rt.group, resource: rt.resource }, ref.name ?? '') : e;
    });
    refuse(rt, obj.metadata.name ?? '', ctx, user, (role.rules ?? []) as PolicyRule[]);
  };
}
