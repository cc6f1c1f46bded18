// The scale subresource (autoscaling/v1 Scale) of deployments, replicasets and statefulsets.
import { errors, field } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { bodyFormat, parseBody } from '../../http/negotiate.js';
import { applyJSONPatch } from '../../patch/json-patch.js';
import { applyMergePatch } from '../../patch/merge-patch.js';
import { applyStrategicMergePatch } from '../../patch/strategic-merge-patch.js';
import { formatLabelSelector } from '../../resources/core/pod-spec.js';
import type { HandlerContext } from './context.js';
import { readObject, respondObject, writeOptions } from './context.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

function toScale(obj: KubeObject): KubeObject {
  const o = obj as Obj;
  const selector = formatLabelSelector(o.spec?.selector);
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion, creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: o.spec?.replicas ?? 0 },
    status: { replicas: o.status?.replicas ?? 0, selector: selector === '<none>' ? '' : selector },
  };
}

/** `pinned`: the client named a resourceVersion, so a conflict is reported rather than retried. */
async function writeScale(ctx: HandlerContext, pinned: boolean, scaleFrom: (current: KubeObject) => Promise<KubeObject>): Promise<void> {
  const opts = writeOptions(ctx);
  const { rt, info } = ctx;
  const updated = await ctx.store.guaranteedUpdate(rt, info.namespace, info.name, opts, async (current) => {
    if (!current) throw errors.notFound({ group: rt.group, resource: rt.resource }, info.name);
    const scale = await scaleFrom(current);
    if (scale.kind !== undefined && scale.kind !== 'Scale') throw errors.badRequest(`the kind in the data (${scale.kind}) does not match the expected kind (Scale)`);
    // ScaleSpec.replicas is omitempty: a Scale without it asks for 0, as in kube.
    const replicas = (scale.spec as Obj | undefined)?.replicas ?? 0;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw errors.invalid('Scale', 'autoscaling', info.name, [field.invalid('spec.replicas', replicas, 'must be greater than or equal to 0')]);
    }
    const rv = scale.metadata?.resourceVersion;
    if (rv) {
      if (rv !== current.metadata.resourceVersion) {
        throw errors.conflict({ group: rt.group, resource: rt.resource }, info.name, 'the object has been modified; please apply your changes to the latest version and try again');
      }
    }
    (current.spec as Obj).replicas = replicas;
    return { update: current };
  }, '', pinned);
  respondObject(ctx, 200, toScale(updated));
}

export async function getScale(ctx: HandlerContext): Promise<void> {
  const obj = await ctx.store.get(ctx.rt, ctx.info.namespace, ctx.info.name);
  respondObject(ctx, 200, toScale(obj));
}

export async function updateScale(ctx: HandlerContext): Promise<void> {
  const body = await readObject(ctx, writeOptions(ctx));
  await writeScale(ctx, Boolean(body.metadata?.resourceVersion), async () => body);
}

export async function patchScale(ctx: HandlerContext): Promise<void> {
  const format = bodyFormat(ctx.ex.headers['content-type']);
  const raw = await ctx.ex.readBody();
  const { value: patch } = parseBody(raw, format === 'apply-patch' || format === 'yaml' ? 'yaml' : 'json', 'Scale');
  await writeScale(ctx, false, async (current) => {
    const scale = toScale(current);
    switch (format) {
      case 'json-patch': return applyJSONPatch(scale, patch) as KubeObject;
      case 'merge-patch': return applyMergePatch(scale, patch) as KubeObject;
      default: return applyStrategicMergePatch(scale, patch) as KubeObject;
    }
  });
}
