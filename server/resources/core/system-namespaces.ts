// The four namespaces every cluster has; they exist from start-up on and may not be deleted.
import { ApiError } from '../../api/errors.js';
import type { PostStartContext } from '../post-start.js';

export const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export async function ensureSystemNamespaces(ctx: PostStartContext): Promise<void> {
  const nsType = ctx.types.lookup('', 'v1', 'namespaces')!;
  for (const name of systemNamespaces) {
    try {
      await ctx.store.create(nsType, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { dryRun: false, fieldValidation: 'Ignore', warnings: [] });
    } catch (e) {
      if (!(e instanceof ApiError && e.reason === 'AlreadyExists')) throw e;
    }
  }
}
