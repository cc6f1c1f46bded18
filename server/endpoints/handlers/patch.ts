// PATCH: JSON patch, merge patch, strategic merge patch and (a first cut of) server-side apply.
import { errors } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { bodyFormat, parseBody } from '../../http/negotiate.js';
import { applyJSONPatch } from '../../patch/json-patch.js';
import { applyMergePatch } from '../../patch/merge-patch.js';
import { applyStrategicMergePatch } from '../../patch/strategic-merge-patch.js';
import type { HandlerContext } from './context.js';
import { respondObject, writeOptions } from './context.js';

export async function patch(ctx: HandlerContext): Promise<void> {
  const { ex, rt, info } = ctx;
  const format = bodyFormat(ex.headers['content-type']);
  if (format === 'json' || format === 'yaml') {
    throw errors.unsupportedMediaType(ex.headers['content-type'] ?? '', ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml']);
  }
  const opts = writeOptions(ctx);
  const raw = await ex.readBody();
  const { value: patchBody } = parseBody(raw, format === 'apply-patch' ? 'yaml' : 'json', rt.kind);
  if (format === 'apply-patch' && !ex.query.get('fieldManager')) {
    throw errors.badRequest('PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  }
  const pinnedRV = (patchBody as KubeObject | undefined)?.metadata?.resourceVersion;
  const result = await ctx.store.guaranteedUpdate(rt, info.namespace, info.name, opts, async (current) => {
    if (!current) {
      if (format === 'apply-patch' && !info.subresource) return { create: patchBody as KubeObject };
      throw errors.notFound({ group: rt.group, resource: rt.resource }, info.name);
    }
    let patched: unknown;
    switch (format) {
      case 'json-patch': patched = applyJSONPatch(current, patchBody); break;
      case 'merge-patch': patched = applyMergePatch(current, patchBody); break;
      default: patched = applyStrategicMergePatch(current, patchBody); break;
    }
    const obj = patched as KubeObject;
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) throw errors.badRequest('the patch did not produce an object');
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
  respondObject(ctx, 200, result);
}
