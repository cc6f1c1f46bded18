import type { HandlerContext } from './context.js';
import { readObject, respondObject, writeOptions } from './context.js';

export async function create(ctx: HandlerContext): Promise<void> {
  const opts = writeOptions(ctx);
  const body = await readObject(ctx, opts);
  const created = await ctx.store.create(ctx.rt, ctx.info.namespace, body, opts);
  respondObject(ctx, 201, created);
}
