// The `kubernetes` ServiceCIDR: the service range from --service-cluster-ip-range, as kube-apiserver's
// default ServiceCIDR controller keeps it, marked Ready once it exists.
import { ApiError } from '../../api/errors.js';
import { nowTimestamp } from '../../registry/meta.js';
import type { PostStartContext } from '../post-start.js';

export const defaultServiceCIDRName = 'kubernetes';

export async function ensureDefaultServiceCIDR(ctx: PostStartContext): Promise<void> {
  const rt = ctx.types.lookup('networking.k8s.io', 'v1', 'servicecidrs');
  if (!rt) return;
  const opts = { dryRun: false, fieldValidation: 'Ignore' as const, warnings: [] };
  try {
    await ctx.store.create(rt, '', {
      apiVersion: 'networking.k8s.io/v1', kind: 'ServiceCIDR', metadata: { name: defaultServiceCIDRName }, spec: { cidrs: [ctx.allocators.cidr] },
    }, opts);
  } catch (e) {
    // Another instance, or an earlier start, made it.
    if (!(e instanceof ApiError && e.reason === 'AlreadyExists')) throw e;
  }
  const current = await ctx.store.get(rt, '', defaultServiceCIDRName);
  const conditions = ((current.status as { conditions?: Array<{ type: string }> } | undefined)?.conditions ?? []);
  if (conditions.some((c) => c.type === 'Ready')) return;
  await ctx.store.update(rt, '', defaultServiceCIDRName, {
    ...current,
    status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: nowTimestamp(), reason: '', message: 'Kubernetes default Service CIDR is ready' }] },
  }, opts, 'status');
}
