// What every verb handler gets: the exchange, the parsed request, the resource and the store.
import { errors } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import type { Exchange } from '../../http/exchange.js';
import { bodyFormat, encode, negotiate, parseBody } from '../../http/negotiate.js';
import { decodeProtobuf } from '../../protobuf/decode.js';
import type { RequestInfo } from '../../http/request-info.js';
import type { TypeRegistry } from '../../registry/registry.js';
import type { FieldValidation, GenericStore, WriteOptions } from '../../registry/store.js';
import type { ResourceType } from '../../registry/types.js';
import { toTable } from '../../table/convert.js';

export interface HandlerContext {
  ex: Exchange;
  info: RequestInfo;
  rt: ResourceType;
  store: GenericStore;
  types: TypeRegistry;
}

export function writeOptions(ctx: HandlerContext): WriteOptions {
  const q = ctx.ex.query;
  const dryRun = q.getAll('dryRun');
  for (const d of dryRun) {
    if (d !== 'All') throw errors.invalid('CreateOptions', 'meta.k8s.io', '', []);
  }
  const fv = q.get('fieldValidation') ?? 'Warn';
  if (!['Strict', 'Warn', 'Ignore'].includes(fv)) {
    throw errors.badRequest(`fieldValidation must be one of Strict, Warn or Ignore, got "${fv}"`);
  }
  return { dryRun: dryRun.includes('All'), fieldValidation: fv as FieldValidation, warnings: ctx.ex.warnings };
}

/** Reads and decodes a JSON or YAML object body, applying fieldValidation to duplicate keys. */
export async function readObject(ctx: HandlerContext, opts: WriteOptions): Promise<KubeObject> {
  const format = bodyFormat(ctx.ex.headers['content-type']);
  negotiate(ctx.ex.headers.accept, true); // 406 before writing, not after (a protobuf-only Accept)
  if (format !== 'json' && format !== 'yaml' && format !== 'protobuf') throw errors.unsupportedMediaType(ctx.ex.headers['content-type'] ?? '', ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']);
  const raw = await ctx.ex.readBody();
  // kubectl's typed clients (create namespace, create configmap, ...) send protobuf.
  if (format === 'protobuf') return decodeProtobuf(raw) as KubeObject;
  const { value, duplicates } = parseBody(raw, format, ctx.rt.kind);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw errors.badRequest(`${ctx.rt.kind} in version "${ctx.rt.version}" cannot be handled as a ${ctx.rt.kind}: json: cannot unmarshal ${Array.isArray(value) ? 'array' : typeof value} into Go value of type struct`);
  }
  if (duplicates.length) {
    if (opts.fieldValidation === 'Strict') {
      throw errors.badRequest(`strict decoding error: ${duplicates.map((d) => `duplicate field "${d}"`).join(', ')}`);
    }
    if (opts.fieldValidation === 'Warn') for (const d of duplicates) opts.warnings.push(`duplicate field "${d}"`);
  }
  return value as KubeObject;
}

/** Sends one object in the representation the client asked for (JSON, YAML or a one-row Table). */
export function respondObject(ctx: HandlerContext, status: number, obj: unknown): void {
  const rep = negotiate(ctx.ex.headers.accept, true);
  if (rep === 'table') {
    const table = toTable([obj as KubeObject], ctx.rt.strategy.table, { includeObject: includeObject(ctx) });
    ctx.ex.sendJSON(status, table);
    return;
  }
  const { body, contentType } = encode(rep, obj);
  ctx.ex.send(status, body, contentType);
}

export function includeObject(ctx: HandlerContext): 'None' | 'Metadata' | 'Object' {
  const v = ctx.ex.query.get('includeObject');
  if (v === 'None' || v === 'Object') return v;
  return 'Metadata';
}
