// What every verb handler gets: the exchange, the parsed request, the resource and the store.
import { ApiError, errors, field } from '../../api/errors.js';
import { stringifyJSON } from '../../api/json.js';
import type { KubeObject } from '../../api/object.js';
import { managerName } from '../../fieldmanager/field-manager.js';
import type { Exchange } from '../../http/exchange.js';
import { encode, negotiate, partialKind, type Representation } from '../../http/negotiate.js';
import type { RequestInfo } from '../../http/request-info.js';
import type { TypeRegistry } from '../../registry/registry.js';
import type { FieldValidation, GenericStore, WriteOptions } from '../../registry/store.js';
import type { ResourceType } from '../../registry/types.js';
import type { Security } from '../../security.js';
import { toTable } from '../../table/convert.js';
import type { TableDefinition } from '../../table/types.js';
import { asPartialObjectMetadata, asPartialObjectMetadataList, partialApiVersion } from '../../table/partial.js';

export interface HandlerContext {
  ex: Exchange;
  info: RequestInfo;
  rt: ResourceType;
  store: GenericStore;
  types: TypeRegistry;
  /** What the token endpoints (TokenRequest, TokenReview) use; absent where a caller has no security built. */
  security?: Security;
}

const fieldManagerMaxLength = 128;

/** Create/Update/PatchOptions from the query, validated as kube's ValidateCreateOptions and siblings. */
export function writeOptions(ctx: HandlerContext): WriteOptions {
  const q = ctx.ex.query;
  const kind = optionsKind(ctx.info.verb);
  const dryRun = q.getAll('dryRun');
  for (const d of dryRun) {
    if (d !== 'All') throw errors.invalid(kind, 'meta.k8s.io', '', [field.notSupported('dryRun', dryRun, ['All'])]);
  }
  const manager = q.get('fieldManager') ?? '';
  if (manager.length > fieldManagerMaxLength) throw errors.invalid(kind, 'meta.k8s.io', '', [field.tooLong('fieldManager', '', fieldManagerMaxLength)]);
  const unprintable = [...manager].findIndex((ch) => !/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch));
  if (unprintable >= 0) {
    const ch = [...manager][unprintable];
    throw errors.invalid(kind, 'meta.k8s.io', '', [field.invalid('fieldManager', manager, `invalid character U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} (at position ${unprintable})`)]);
  }
  const fv = q.get('fieldValidation') || 'Warn';
  if (!['Strict', 'Warn', 'Ignore'].includes(fv)) {
    throw errors.invalid(kind, 'meta.k8s.io', '', [field.notSupported('fieldValidation', fv, ['', 'Ignore', 'Strict', 'Warn'])]);
  }
  const opts: WriteOptions = { dryRun: dryRun.includes('All'), fieldValidation: fv as FieldValidation, warnings: ctx.ex.warnings, user: ctx.ex.user };
  const audit = ctx.ex.audit;
  if (audit) opts.annotate = (key, value) => audit.annotate(key, value);
  // Writes that change fields record who changed them (deletes do not, as in kube).
  if (['create', 'update', 'patch'].includes(ctx.info.verb)) opts.fieldManager = managerName(manager, ctx.ex.headers['user-agent']);
  return opts;
}

/** The options type kube validates for a write verb (named in its 422s). */
function optionsKind(verb: string): string {
  if (verb === 'update') return 'UpdateOptions';
  if (verb === 'patch') return 'PatchOptions';
  if (verb === 'delete' || verb === 'deletecollection') return 'DeleteOptions';
  return 'CreateOptions';
}

/**
 * Sends one object in the representation the client asked for (JSON, YAML or a one-row Table of
 * `table`: the resource's own unless a subresource answers another kind).
 */
export function respondObject(ctx: HandlerContext, status: number, obj: unknown, tableDef: TableDefinition | undefined = ctx.rt.strategy.table): void {
  const rep = negotiate(ctx.ex.headers.accept, !ctx.rt.noTable);
  if (rep === 'table') {
    checkTableOptions(ctx);
    const table = toTable([obj as KubeObject], tableDef, { includeObject: includeObject(ctx) });
    ctx.ex.sendJSON(status, table);
    return;
  }
  if (rep === 'partial' || rep === 'partial-v1beta1') {
    const o = obj as KubeObject & { items?: KubeObject[] };
    const isList = Array.isArray(o.items);
    const apiVersion = partialApiVersion(rep);
    const reply = isList ? asPartialObjectMetadataList(o.metadata as Record<string, unknown>, o.items!, apiVersion) : asPartialObjectMetadata(o, apiVersion);
    sendPartial(ctx, rep, status, reply, isList);
    return;
  }
  const { body, contentType } = encode(rep, obj);
  ctx.ex.send(status, body, contentType);
}

/**
 * The Status Success a create through a subresource with no object to return answers (pods/binding,
 * pods/eviction). kube has no Table for it: call checkNoTable before the write.
 */
export function respondSuccess(ctx: HandlerContext, status: number): void {
  const { body, contentType } = encode(negotiate(ctx.ex.headers.accept, false), { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: status });
  ctx.ex.send(status, body, contentType);
}

/** 406 for a Table (or another unserved) Accept on a path kube serves no Table for, before anything is written. */
export function checkNoTable(ctx: HandlerContext): void {
  negotiate(ctx.ex.headers.accept, false);
}

/** A PartialObjectMetadata(List) reply; asking for the one where the other is answered is kube's 406. */
export function sendPartial(ctx: HandlerContext, rep: Representation, status: number, reply: unknown, isList: boolean): void {
  const asked = partialKind(ctx.ex.headers.accept);
  if (isList && asked === 'PartialObjectMetadata') throw new ApiError(406, 'NotAcceptable', 'you requested PartialObjectMetadata, but the requested object is a list');
  if (!isList && asked === 'PartialObjectMetadataList') throw new ApiError(406, 'NotAcceptable', 'you requested PartialObjectMetadataList, but the requested object is not a list');
  const kind = isList ? 'PartialObjectMetadataList' : 'PartialObjectMetadata';
  ctx.ex.send(status, stringifyJSON(reply), `application/json;as=${kind};g=meta.k8s.io;v=${rep === 'partial' ? 'v1' : 'v1beta1'}`);
}

export function includeObject(ctx: HandlerContext): 'None' | 'Metadata' | 'Object' {
  const v = ctx.ex.query.get('includeObject');
  if (v === 'None' || v === 'Object') return v;
  return 'Metadata';
}

/** kube's ValidateTableOptions, checked where a Table is about to be sent. */
export function checkTableOptions(ctx: HandlerContext): void {
  const v = ctx.ex.query.get('includeObject');
  if (v && !['Metadata', 'Object', 'None'].includes(v)) {
    throw errors.badRequest(`Unable to convert to Table as requested: includeObject: Invalid value: ${JSON.stringify(v)}: must be 'Metadata', 'Object', 'None', or empty`);
  }
}
