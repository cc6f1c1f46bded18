// The scale subresource (autoscaling/v1 Scale): the one decode and patch path, over scale storage.
import { ScaleStorage, scaleTarget } from '../../registry/subresources/scale.js';
import { schemaFor } from '../../schema/navigate.js';
import type { HandlerContext } from './context.js';
import { respondObject, writeOptions } from './context.js';
import { applyPatch, decodeObject, decodePatch, decodePatched } from './decode.js';
import { tableOf } from '../../table/format.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
/** kube's Scale columns (printScale). */
const scaleTable = tableOf([
  ['Desired', 'integer', 'replicas is the desired number of instances for the scaled object.', 0, (o: any) => o.spec?.replicas ?? 0],
  ['Available', 'integer', 'replicas is the actual number of observed instances of the scaled object.', 0, (o: any) => o.status?.replicas ?? 0],
]);

export async function getScale(ctx: HandlerContext): Promise<void> {
  respondObject(ctx, 200, await new ScaleStorage(ctx.store).get(ctx.rt, ctx.info.namespace, ctx.info.name), scaleTable);
}

/** Scale writes are recorded in the parent's managedFields under subresource "scale", as kube's. */
const scaleWrite = (ctx: HandlerContext) => ({ ...writeOptions(ctx), fieldManagerSubresource: 'scale' });

export async function updateScale(ctx: HandlerContext): Promise<void> {
  const opts = scaleWrite(ctx);
  const body = await decodeObject(ctx, opts, scaleTarget);
  const scale = await new ScaleStorage(ctx.store).update(ctx.rt, ctx.info.namespace, ctx.info.name, opts, () => body, Boolean(body.metadata?.resourceVersion));
  respondObject(ctx, 200, scale, scaleTable);
}

export async function patchScale(ctx: HandlerContext): Promise<void> {
  const opts = scaleWrite(ctx);
  const decoded = await decodePatch(ctx, opts);
  const scale = await new ScaleStorage(ctx.store).update(ctx.rt, ctx.info.namespace, ctx.info.name, opts,
    (current) => decodePatched(decoded, applyPatch(decoded, current, schemaFor(scaleTarget)), opts, scaleTarget), false);
  respondObject(ctx, 200, scale, scaleTable);
}
