import type { HandlerContext } from './context.js';
import { respondObject, writeOptions } from './context.js';
import { decodeObject } from './decode.js';

export async function update(ctx: HandlerContext): Promise<void> {
  const opts = writeOptions(ctx);
  const body = await decodeObject(ctx, opts);
  const { object, created } = await ctx.store.updateWithResult(ctx.rt, ctx.info.namespace, ctx.info.name, body, opts, ctx.info.subresource);
  // An update that created the object answers 201, as kube's UpdateResource.
  respondObject(ctx, created ? 201 : 200, object);
}
