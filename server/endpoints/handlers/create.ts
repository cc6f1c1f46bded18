import { errors } from '../../api/errors.js';
import type { HandlerContext } from './context.js';
import { respondObject, writeOptions } from './context.js';
import { decodeObject } from './decode.js';

export async function create(ctx: HandlerContext): Promise<void> {
  const opts = writeOptions(ctx);
  const body = await decodeObject(ctx, opts);
  // kube refuses this too, but as a 500 (its storage's error); a client's mistake is a 400 here.
  if (body.metadata?.resourceVersion) throw errors.badRequest('resourceVersion should not be set on objects to be created');
  const created = await ctx.store.create(ctx.rt, ctx.info.namespace, body, opts);
  respondObject(ctx, 201, created);
}
