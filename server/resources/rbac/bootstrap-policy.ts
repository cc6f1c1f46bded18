// kube-apiserver's rbac/bootstrap-roles post-start hook: the default ClusterRoles, ClusterRoleBindings
// and the kube-system / kube-public Roles and RoleBindings, as recorded from the real kube-apiserver
// (scripts/record-rbac-bootstrap.mjs). Missing ones are created; existing ones are left as they are
// (kube reconciles those marked autoupdate; not done here). Instances race: AlreadyExists is fine.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
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
      try {
        await ctx.store.create(rt, obj.metadata.namespace ?? '', structuredClone(obj), { dryRun: false, fieldValidation: 'Ignore', warnings: [], fieldManager: 'kube-apiserver' });
      } catch (e) {
        if (!(e instanceof ApiError && e.reason === 'AlreadyExists')) throw e;
      }
    }));
  }
}
