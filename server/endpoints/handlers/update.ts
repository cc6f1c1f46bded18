import type { HandlerContext } from './context.js';
import { respondObject, writeOptions } from './context.js';
import { decodeObject } from './decode.js';

export async function update(ctx: HandlerContext): Promise<void> {
  const opts = writeOptions(ctx);
  const body = await decodeObject(ctx, opts);
  const updated = await ctx.store.update(ctx.rt, ctx.info.namespace, ctx.info.name, body, opts, ctx.info.subresource);
  respondObject(ctx, 200, updated);
}
