import { errors } from '../../api/errors.js';
import { encode, negotiate } from '../../http/negotiate.js';
import { toTable } from '../../table/convert.js';
import type { HandlerContext } from './context.js';
import { includeObject } from './context.js';

export async function list(ctx: HandlerContext): Promise<void> {
  const q = ctx.ex.query;
  const rep = negotiate(ctx.ex.headers.accept, true);
  const limitText = q.get('limit');
  let limit: number | undefined;
  if (limitText !== null && limitText !== '') {
    limit = Number(limitText);
    if (!Number.isInteger(limit) || limit < 0) throw errors.badRequest(`invalid limit: ${limitText}`);
  }
  const result = await ctx.store.list(ctx.rt, ctx.info.namespace, {
    labelSelector: q.get('labelSelector') ?? undefined,
    fieldSelector: q.get('fieldSelector') ?? undefined,
    limit,
    continue: q.get('continue') ?? undefined,
    resourceVersion: q.get('resourceVersion') ?? undefined,
    resourceVersionMatch: q.get('resourceVersionMatch') ?? undefined,
  });
  if (rep === 'table') {
    ctx.ex.sendJSON(200, toTable(result.items, ctx.rt.strategy.table, {
      includeObject: includeObject(ctx), listMeta: result.metadata as Record<string, unknown>,
    }));
    return;
  }
  const { body, contentType } = encode(rep, result);
  ctx.ex.send(200, body, contentType);
}
