import type { HandlerContext } from './context.js';
import { respondObject, writeOptions } from './context.js';
import { decodeObject } from './decode.js';

export async function create(ctx: HandlerContext): Promise<void> {
  const opts = writeOptions(ctx);
  const body = await decodeObject(ctx, opts);
  const created = await ctx.store.create(ctx.rt, ctx.info.namespace, body, opts);
  respondObject(ctx, 201, created);
}
