// The `kubernetes` Service in default, on the first address of the service range, as kube-apiserver keeps it.
import { ApiError } from '../../api/errors.js';
import type { PostStartContext } from '../post-start.js';

export async function ensureKubernetesService(ctx: PostStartContext): Promise<void> {
  const svc = ctx.types.lookup('', 'v1', 'services');
  if (!svc) return;
  try {
    await ctx.store.create(svc, 'default', {
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: { clusterIP: ctx.allocators.firstIP(), ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: ctx.config.securePort }] },
    }, { dryRun: false, fieldValidation: 'Ignore', warnings: [] });
  } catch (e) {
    // Already there (another instance, an earlier start), or its address held by it: the service exists.
    if (!(e instanceof ApiError && (e.reason === 'AlreadyExists' || e.reason === 'Invalid'))) throw e;
  }
}
