import { errors } from '../../api/errors.js';
import { bodyFormat, negotiate, parseBody } from '../../http/negotiate.js';
import { decodeProtobuf } from '../../protobuf/decode.js';
import type { DeleteOptions } from '../../registry/store.js';
import type { HandlerContext } from './context.js';
import { respondObject, writeOptions } from './context.js';

/** DeleteOptions come from the body (kubectl) or the query (curl); the body wins. */
async function deleteOptions(ctx: HandlerContext): Promise<DeleteOptions> {
  const q = ctx.ex.query;
  const options: DeleteOptions = {};
  const grace = q.get('gracePeriodSeconds');
  if (grace !== null) options.gracePeriodSeconds = Number(grace);
  const policy = q.get('propagationPolicy');
  if (policy !== null) options.propagationPolicy = policy;
  if (q.getAll('dryRun').length) options.dryRun = q.getAll('dryRun');
  negotiate(ctx.ex.headers.accept, true); // 406 before deleting, not after
  const raw = await ctx.ex.readBody();
  if (raw.length && raw.toString().trim()) {
    const format = bodyFormat(ctx.ex.headers['content-type']);
    if (format !== 'json' && format !== 'yaml' && format !== 'protobuf') throw errors.unsupportedMediaType(format, ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']);
    const value = format === 'protobuf' ? decodeProtobuf(raw) : parseBody(raw, format, 'DeleteOptions').value;
    if (value && typeof value === 'object') Object.assign(options, value);
  }
  return options;
}

export async function del(ctx: HandlerContext): Promise<void> {
  const options = await deleteOptions(ctx);
  const opts = writeOptions(ctx);
  if (options.dryRun?.includes('All')) opts.dryRun = true;
  const result = await ctx.store.delete(ctx.rt, ctx.info.namespace, ctx.info.name, options, opts);
  if (!result.deleted) {
    respondObject(ctx, opts.dryRun ? 200 : 202, result.object);
    return;
  }
  const obj = result.object;
  ctx.ex.sendJSON(200, {
    kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success',
    details: { name: obj.metadata.name, group: ctx.rt.group || undefined, kind: ctx.rt.resource, uid: obj.metadata.uid },
  });
}

export async function deleteCollection(ctx: HandlerContext): Promise<void> {
  const options = await deleteOptions(ctx);
  const opts = writeOptions(ctx);
  if (options.dryRun?.includes('All')) opts.dryRun = true;
  const q = ctx.ex.query;
  const list = await ctx.store.deleteCollection(ctx.rt, ctx.info.namespace, {
    labelSelector: q.get('labelSelector') ?? undefined,
    fieldSelector: q.get('fieldSelector') ?? undefined,
  }, options, opts);
  respondObject(ctx, 200, list);
}
