import { negotiate } from '../../http/negotiate.js';
import type { HandlerContext } from './context.js';
import { respondObject } from './context.js';

export async function get(ctx: HandlerContext): Promise<void> {
  const rv = ctx.ex.query.get('resourceVersion') ?? undefined;
  if (negotiate(ctx.ex.headers.accept, true) === 'json') {
    const text = await ctx.store.getEncoded(ctx.rt, ctx.info.namespace, ctx.info.name, rv);
    ctx.ex.send(200, text, 'application/json');
    return;
  }
  respondObject(ctx, 200, await ctx.store.get(ctx.rt, ctx.info.namespace, ctx.info.name, rv));
}
