import { parseExactJSON } from '../../api/json.js';
import type { KubeObject } from '../../api/object.js';
import { encode, negotiate } from '../../http/negotiate.js';
import { toTable } from '../../table/convert.js';
import type { HandlerContext } from './context.js';
import { checkTableOptions, includeObject, sendPartial } from './context.js';
import { asPartialObjectMetadataList, partialApiVersion } from '../../table/partial.js';
import { queryInt64 } from './query.js';

export async function list(ctx: HandlerContext): Promise<void> {
  const q = ctx.ex.query;
  const rep = negotiate(ctx.ex.headers.accept, true);
  if (rep === 'table') checkTableOptions(ctx);
  // As kube's storage: a limit of 0 or less means no limit.
  const limit = queryInt64(q, 'limit');
  queryInt64(q, 'timeoutSeconds'); // a ListOptions field: malformed is 400 on a list too
  const { list: meta, items } = await ctx.store.listEncoded(ctx.rt, ctx.info.namespace, {
    labelSelector: q.get('labelSelector') ?? undefined,
    fieldSelector: q.get('fieldSelector') ?? undefined,
    limit,
    continue: q.get('continue') ?? undefined,
    resourceVersion: q.get('resourceVersion') ?? undefined,
    resourceVersionMatch: q.get('resourceVersionMatch') ?? undefined,
  });
  if (rep === 'json') {
    // Items are already JSON text (kept by the watch cache): join them instead of re-encoding.
    const body = `{"kind":${JSON.stringify(meta.kind)},"apiVersion":${JSON.stringify(meta.apiVersion)},"metadata":${JSON.stringify(meta.metadata)},"items":[${items.join(',')}]}`;
    ctx.ex.send(200, body, 'application/json');
    return;
  }
  const objects = items.map((t) => parseExactJSON(t) as KubeObject);
  if (rep === 'table') {
    ctx.ex.sendJSON(200, toTable(objects, ctx.rt.strategy.table, {
      includeObject: includeObject(ctx), listMeta: meta.metadata as Record<string, unknown>,
    }));
    return;
  }
  if (rep === 'partial' || rep === 'partial-v1beta1') {
    sendPartial(ctx, rep, 200, asPartialObjectMetadataList(meta.metadata as Record<string, unknown>, objects, partialApiVersion(rep)), true);
    return;
  }
  const { body, contentType } = encode(rep, { ...meta, items: objects });
  ctx.ex.send(200, body, contentType);
}
