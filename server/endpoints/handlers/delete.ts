import { errors } from '../../api/errors.js';
import { parseBody } from '../../http/body.js';
import { bodyFormat, negotiate } from '../../http/negotiate.js';
import { decodeProtobuf } from '../../protobuf/decode.js';
import type { DeleteOptions } from '../../registry/store.js';
import type { HandlerContext } from './context.js';
import { respondObject, writeOptions } from './context.js';
import { queryInt64, queryOptionalBool } from './query.js';

/** DeleteOptions come from the body (kubectl) or the query (curl); the body wins. Malformed values are 400 before anything is deleted. */
async function deleteOptions(ctx: HandlerContext): Promise<DeleteOptions> {
  const q = ctx.ex.query;
  const options: DeleteOptions = {};
  const grace = queryInt64(q, 'gracePeriodSeconds');
  if (grace !== undefined) options.gracePeriodSeconds = grace;
  const orphan = queryOptionalBool(q, 'orphanDependents');
  if (orphan !== undefined) options.orphanDependents = orphan;
  const policy = q.get('propagationPolicy');
  if (policy !== null) options.propagationPolicy = policy;
  if (q.getAll('dryRun').length) options.dryRun = q.getAll('dryRun');
  const uid = q.get('uid');
  const rv = q.get('resourceVersion');
  if (uid || rv) options.preconditions = { ...(uid ? { uid } : {}), ...(rv ? { resourceVersion: rv } : {}) };
  negotiate(ctx.ex.headers.accept, true); // 406 before deleting, not after
  const raw = await ctx.ex.readBody();
  if (raw.length && raw.toString().trim()) {
    const format = bodyFormat(ctx.ex.headers['content-type']);
    if (format !== 'json' && format !== 'yaml' && format !== 'protobuf') throw errors.unsupportedMediaType(format, ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']);
    const value = format === 'protobuf' ? decodeProtobuf(raw) : parseBody(raw, format, '').value;
    if (value && typeof value === 'object' && !Array.isArray(value)) Object.assign(options, bodyDeleteOptions(value as Record<string, unknown>));
  }
  // kube's BeforeDelete: a negative grace period means one second.
  if (options.gracePeriodSeconds !== undefined && options.gracePeriodSeconds < 0) options.gracePeriodSeconds = 1;
  return options;
}

/** The DeleteOptions fields of a body, type-checked as kube's decoding would; other keys are ignored. */
export function bodyDeleteOptions(body: Record<string, unknown>): DeleteOptions {
  const out: DeleteOptions = {};
  const wrong = (name: string, type: string): never => {
    const v = body[name];
    throw errors.badRequest(`json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into Go struct field DeleteOptions.${name} of type ${type}`);
  };
  const own = (k: string) => Object.hasOwn(body, k) && body[k] !== null && body[k] !== undefined;
  // kube decodes the body with the meta scheme, where only DeleteOptions is a kind a delete takes.
  if (typeof body.kind === 'string' && body.kind && body.kind !== 'DeleteOptions') {
    const version = typeof body.apiVersion === 'string' && body.apiVersion ? body.apiVersion : 'v1';
    throw errors.badRequest(`no kind ${JSON.stringify(body.kind)} is registered for version ${JSON.stringify(version)} in scheme "pkg/runtime/scheme.go:111"`);
  }
  if (own('gracePeriodSeconds')) {
    if (!Number.isSafeInteger(body.gracePeriodSeconds)) wrong('gracePeriodSeconds', 'int64');
    out.gracePeriodSeconds = body.gracePeriodSeconds as number;
  }
  if (own('orphanDependents')) {
    if (typeof body.orphanDependents !== 'boolean') wrong('orphanDependents', 'bool');
    out.orphanDependents = body.orphanDependents as boolean;
  }
  if (own('propagationPolicy')) {
    if (typeof body.propagationPolicy !== 'string') wrong('propagationPolicy', 'v1.DeletionPropagation');
    out.propagationPolicy = body.propagationPolicy as string;
  }
  if (own('dryRun')) {
    if (!Array.isArray(body.dryRun) || body.dryRun.some((d) => typeof d !== 'string')) wrong('dryRun', '[]string');
    out.dryRun = body.dryRun as string[];
  }
  if (own('preconditions')) {
    const p = body.preconditions as Record<string, unknown>;
    if (typeof p !== 'object' || Array.isArray(p)) wrong('preconditions', 'v1.Preconditions');
    out.preconditions = {};
    if (typeof p.uid === 'string' && Object.hasOwn(p, 'uid')) out.preconditions.uid = p.uid;
    if (typeof p.resourceVersion === 'string' && Object.hasOwn(p, 'resourceVersion')) out.preconditions.resourceVersion = p.resourceVersion;
  }
  return out;
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
