// PATCH: JSON patch, merge patch, strategic merge patch and server-side apply.
import { errors, field } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { apply } from '../../fieldmanager/field-manager.js';
import { bodyFormat } from '../../http/negotiate.js';
import { schemaFor } from '../../schema/navigate.js';
import type { HandlerContext } from './context.js';
import { respondObject, writeOptions } from './context.js';
import { applyPatch, decodePatch, decodePatched } from './decode.js';

/** kube's patch types for custom resources: strategic merge needs Go types' patch strategies. */
const customResourcePatchTypes = ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml'];

export async function patch(ctx: HandlerContext): Promise<void> {
  const { ex, rt, info } = ctx;
  const opts = writeOptions(ctx);
  if (rt.customResource && bodyFormat(ex.headers['content-type']) === 'strategic-merge-patch') {
    throw errors.unsupportedMediaType(ex.headers['content-type'] ?? '', customResourcePatchTypes);
  }
  const decoded = await decodePatch(ctx, opts);
  if (decoded.format === 'apply-patch' && !ex.query.get('fieldManager')) {
    throw errors.invalid('PatchOptions', 'meta.k8s.io', '', [field.required('fieldManager', 'is required for apply patch')]);
  }
  if (decoded.format !== 'apply-patch' && ex.query.has('force')) {
    throw errors.invalid('PatchOptions', 'meta.k8s.io', '', [field.forbidden('force', 'may not be specified for non-apply patch')]);
  }
  const isApply = decoded.format === 'apply-patch';
  // kube's query bools: absent, "0" and "false" (any case) are false; anything else is true.
  const forceParam = ex.query.get('force');
  const force = forceParam !== null && forceParam !== '0' && forceParam.toLowerCase() !== 'false';
  const manager = opts.fieldManager ?? '';
  if (isApply) checkApplyConfiguration(decoded.patch as KubeObject);
  // Apply records its own managedFields (an Apply operation); the store records Update operations.
  const storeOpts = isApply ? { ...opts, fieldManager: undefined } : opts;
  const pinnedRV = (decoded.patch as KubeObject | undefined)?.metadata?.resourceVersion;
  const { object, created } = await ctx.store.guaranteedUpdateWithResult(rt, info.namespace, info.name, storeOpts, async (current) => {
    if (!current) {
      if (isApply && !info.subresource) {
        const config = decodePatched(decoded, structuredClone(decoded.patch), opts, rt);
        return { create: apply(rt, undefined, config, manager, force) };
      }
      throw errors.notFound({ group: rt.group, resource: rt.resource }, info.name);
    }
    const obj = isApply
      ? apply(rt, current, decodePatched(decoded, structuredClone(decoded.patch), opts, rt, current), manager, force, info.subresource)
      : decodePatched(decoded, applyPatch(decoded, current, schemaFor(rt)), opts, rt, current);
    if (obj.kind !== current.kind || obj.apiVersion !== current.apiVersion) {
      throw errors.badRequest(`the kind or apiVersion of the patched object (${obj.apiVersion}, ${obj.kind}) does not match the original (${current.apiVersion}, ${current.kind})`);
    }
    obj.metadata ??= {};
    if (obj.metadata.name !== current.metadata.name) {
      throw errors.badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${current.metadata.name})`);
    }
    if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== current.metadata.resourceVersion) {
      throw errors.conflict({ group: rt.group, resource: rt.resource }, info.name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    return { update: obj };
  }, info.subresource, Boolean(pinnedRV));
  // An apply that created the object answers 201, as kube's PatchResource.
  respondObject(ctx, created ? 201 : 200, object);
}

/** kube's apply refuses a configuration that carries managedFields: they are the server's to write. */
function checkApplyConfiguration(config: KubeObject): void {
  if (config?.metadata?.managedFields !== undefined && config.metadata.managedFields !== null) {
    throw errors.badRequest('metadata.managedFields must be nil');
  }
}
