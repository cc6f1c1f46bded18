import type { HandlerContext } from './context.js';
import { respondObject } from './context.js';

export async function get(ctx: HandlerContext): Promise<void> {
  const obj = await ctx.store.get(ctx.rt, ctx.info.namespace, ctx.info.name);
  respondObject(ctx, 200, obj);
}
