// kube-apiserver records since when it tracks the use of legacy service-account tokens in a ConfigMap
// in kube-system; the controller manager's legacy token cleaner reads it and fails without it. The
// date is written once, by the first instance, and never moved.
import { ApiError } from '../../api/errors.js';
import type { PostStartContext } from '../post-start.js';

export const legacyTokenTrackingName = 'kube-apiserver-legacy-service-account-token-tracking';

export async function ensureLegacyTokenTracking(ctx: PostStartContext): Promise<void> {
  const cmType = ctx.types.lookup('', 'v1', 'configmaps')!;
  const since = new Date().toISOString().slice(0, 10);
  try {
    await ctx.store.create(cmType, 'kube-system', {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: legacyTokenTrackingName, namespace: 'kube-system' }, data: { since },
    }, { dryRun: false, fieldValidation: 'Ignore', warnings: [] });
  } catch (e) {
    if (!(e instanceof ApiError && e.reason === 'AlreadyExists')) throw e;
  }
}
