// POST pods/{name}/eviction: a policy/v1 (or v1beta1) Eviction, what `kubectl drain` sends.
import { errors } from '../../api/errors.js';
import { evictPod } from '../../registry/subresources/eviction.js';
import type { SchemaTarget } from '../../schema/validate.js';
import { checkNoTable, type HandlerContext, respondSuccess, writeOptions } from './context.js';
import { decodeObject } from './decode.js';
import { bodyDeleteOptions } from './delete.js';

/** v1beta1's Eviction has the same fields; kube accepts both versions here. */
const evictionTarget: SchemaTarget = { kind: 'Eviction', version: 'v1', definition: 'io.k8s.api.policy.v1.Eviction' };
const acceptedVersions = ['policy/v1', 'policy/v1beta1'];

export async function createEviction(ctx: HandlerContext): Promise<void> {
  checkNoTable(ctx);
  const opts = writeOptions(ctx);
  const eviction = await decodeObject(ctx, opts, evictionTarget);
  if (eviction.apiVersion !== undefined && !acceptedVersions.includes(eviction.apiVersion)) {
    throw errors.badRequest(`Eviction in version "v1" cannot be handled as a Eviction: no kind ${JSON.stringify(eviction.kind ?? 'Eviction')} is registered for version ${JSON.stringify(eviction.apiVersion)} in scheme "pkg/runtime/scheme.go:111"`);
  }
  if (eviction.kind !== undefined && eviction.kind !== 'Eviction') {
    throw errors.badRequest(`the kind in the data (${eviction.kind}) does not match the expected kind (Eviction)`);
  }
  eviction.metadata ??= {};
  const raw = eviction.deleteOptions;
  const deleteOptions = raw && typeof raw === 'object' && !Array.isArray(raw) ? bodyDeleteOptions(raw as Record<string, unknown>) : {};
  // kube's propagateDryRun: the query's dryRun applies when the Eviction names none.
  if (opts.dryRun && !deleteOptions.dryRun?.length) deleteOptions.dryRun = ['All'];
  if (deleteOptions.dryRun?.includes('All')) opts.dryRun = true;
  await evictPod(ctx.store, ctx.types, { namespace: ctx.info.namespace, name: ctx.info.name, eviction, deleteOptions, opts });
  respondSuccess(ctx, 201);
}
