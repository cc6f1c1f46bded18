// kube-apiserver's rbac/bootstrap-roles post-start hook: the default ClusterRoles, ClusterRoleBindings
// and the kube-system / kube-public Roles and RoleBindings, as recorded from the real kube-apiserver
// (scripts/record-rbac-bootstrap.mjs). Missing ones are created; existing ones marked
// autoupdate get back the rules or subjects they lost (kube's reconcile adds, never removes).
// Instances race: AlreadyExists and Conflict are fine.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { covers } from '../../authorization/rbac/escalation.js';
import type { PolicyRule } from '../../authorization/rbac/rules.js';
import type { PostStartContext } from '../post-start.js';
import { clusterrolebindings } from './clusterrolebindings.js';
import { clusterroles } from './clusterroles.js';
import { rolebindings } from './rolebindings.js';
import { roles } from './roles.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? '../../../..' : '../../..');
export const bootstrapPolicyFile = path.join(repoRoot, 'server/resources/rbac/bootstrap-policy.json');

export interface BootstrapPolicy {
  kubeVersion: string;
  clusterroles: KubeObject[];
  clusterrolebindings: KubeObject[];
  roles: KubeObject[];
  rolebindings: KubeObject[];
}

let loaded: BootstrapPolicy | undefined;
export function bootstrapPolicy(): BootstrapPolicy {
  return (loaded ??= JSON.parse(readFileSync(bootstrapPolicyFile, 'utf8')) as BootstrapPolicy);
}

export async function ensureBootstrapPolicy(ctx: PostStartContext): Promise<void> {
  const policy = bootstrapPolicy();
  const kinds = [[clusterroles, policy.clusterroles], [clusterrolebindings, policy.clusterrolebindings], [roles, policy.roles], [rolebindings, policy.rolebindings]] as const;
  for (const [rt, objects] of kinds) {
    // One kind at a time (bindings after their roles), its objects at once.
    await Promise.all(objects.map(async (obj) => {
      const namespace = obj.metadata.namespace ?? '';
      try {
        await ctx.store.create(rt, namespace, structuredClone(obj), write());
        return;
      } catch (e) {
        if (!(e instanceof ApiError && e.reason === 'AlreadyExists')) throw e;
      }
      // From the cache as it is: one that has not yet seen the object another instance just created
      // has nothing to repair (that instance wrote the same object), and a fresh read could wait on a lagging feed.
      const existing = await ctx.store.get(rt, namespace, obj.metadata.name!, '0').catch((e: unknown) => {
        if (e instanceof ApiError && e.reason === 'NotFound') return undefined;
        throw e;
      });
      const repaired = existing && reconciled(existing, obj);
      if (!repaired) return;
      await ctx.store.update(rt, namespace, obj.metadata.name!, repaired, write()).catch((e: unknown) => {
        if (!(e instanceof ApiError && (e.reason === 'Conflict' || e.reason === 'NotFound'))) throw e;
      });
    }));
  }
}

const write = () => ({ dryRun: false, fieldValidation: 'Ignore' as const, warnings: [], fieldManager: 'kube-apiserver' });

const autoupdate = 'rbac.authorization.kubernetes.io/autoupdate';
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * The stored object with what the bootstrap one has and it lacks (rules not covered, subjects, an
 * aggregationRule), or undefined when nothing is missing or its autoupdate annotation is not "true".
 */
export function reconciled(existing: KubeObject, wanted: KubeObject): KubeObject | undefined {
  if (existing.metadata.annotations?.[autoupdate] !== 'true') return undefined;
  const out = structuredClone(existing);
  let changed = false;
  if (wanted.roleRef) {
    const subjects = (out.subjects ?? []) as unknown[];
    for (const s of (wanted.subjects ?? []) as unknown[]) {
      if (!subjects.some((x) => same(x, s))) { subjects.push(s); changed = true; }
    }
    out.subjects = subjects;
    return changed ? out : undefined;
  }
  if (wanted.aggregationRule && !same(out.aggregationRule, wanted.aggregationRule)) {
    out.aggregationRule = wanted.aggregationRule;
    changed = true;
  }
  // An aggregated role's rules are the aggregation controller's to set.
  if (!wanted.aggregationRule) {
    const rules = ((out.rules ?? []) as PolicyRule[]);
    const missing = ((wanted.rules ?? []) as PolicyRule[]).filter((r) => !covers(rules, [r]).covered);
    if (missing.length) { out.rules = [...rules, ...missing]; changed = true; }
  }
  return changed ? out : undefined;
}
