// PUT namespaces/{name}/finalize: the namespace controller removes its spec.finalizers entry here once
// the namespace is empty. A namespace being deleted with no finalizer left then goes, as the
// controller's DELETE right after finalize makes it go in kube.
import type { KubeObject } from '../../api/object.js';
import type { HandlerContext } from './context.js';
import { respondObject, writeOptions } from './context.js';
import { decodeObject } from './decode.js';

export async function finalizeNamespace(ctx: HandlerContext): Promise<void> {
  const opts = writeOptions(ctx);
  const body = await decodeObject(ctx, opts);
  const { object } = await ctx.store.updateWithResult(ctx.rt, '', ctx.info.name, body, opts, 'finalize');
  if (finalized(object) && !opts.dryRun) await ctx.store.delete(ctx.rt, '', ctx.info.name, { preconditions: { uid: object.metadata.uid } }, opts).catch(ignoreGone);
  respondObject(ctx, 200, object);
}

function finalized(ns: KubeObject): boolean {
  const spec = ns.spec as { finalizers?: string[] } | undefined;
  return Boolean(ns.metadata.deletionTimestamp) && !spec?.finalizers?.length && !ns.metadata.finalizers?.length;
}

/** Someone else (the controller's own DELETE) removed it first: that is the outcome wanted. */
function ignoreGone(e: unknown): void {
  if ((e as { code?: number }).code !== 404) throw e;
}
