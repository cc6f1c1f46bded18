// PUT namespaces/{name}/finalize: the namespace controller removes its spec.finalizers entry here once
// the namespace is empty. A namespace being deleted with no finalizer left goes with this update
// (the store's delete-during-update, held back for namespaces only while spec.finalizers remain).
import type { HandlerContext } from './context.js';
import { respondObject, writeOptions } from './context.js';
import { decodeObject } from './decode.js';

export async function finalizeNamespace(ctx: HandlerContext): Promise<void> {
  const opts = writeOptions(ctx);
  const body = await decodeObject(ctx, opts);
  const { object } = await ctx.store.updateWithResult(ctx.rt, '', ctx.info.name, body, opts, 'finalize');
  respondObject(ctx, 200, object);
}
