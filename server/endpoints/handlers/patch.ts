// PATCH: JSON patch, merge patch, strategic merge patch and (a first cut of) server-side apply.
import { errors, field } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { bodyFormat } from '../../http/negotiate.js';
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
  const pinnedRV = (decoded.patch as KubeObject | undefined)?.metadata?.resourceVersion;
  const { object, created } = await ctx.store.guaranteedUpdateWithResult(rt, info.namespace, info.name, opts, async (current) => {
    if (!current) {
      if (decoded.format === 'apply-patch' && !info.subresource) return { create: decodePatched(decoded, structuredClone(decoded.patch), opts, rt) };
      throw errors.notFound({ group: rt.group, resource: rt.resource }, info.name);
    }
    const obj = decodePatched(decoded, applyPatch(decoded, current), opts, rt, current);
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
