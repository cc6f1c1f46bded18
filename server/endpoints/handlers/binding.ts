// POST pods/{name}/binding and the older POST bindings: the scheduler's write (kube's BindingREST and LegacyBindingREST).
import { errors } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { bindPod } from '../../registry/subresources/binding.js';
import type { SchemaTarget } from '../../schema/validate.js';
import { checkNoTable, type HandlerContext, respondSuccess, writeOptions } from './context.js';
import { decodeObject } from './decode.js';

const bindingTarget: SchemaTarget = { kind: 'Binding', version: 'v1', definition: 'io.k8s.api.core.v1.Binding' };

async function bind(ctx: HandlerContext, name: (binding: KubeObject) => string): Promise<void> {
  checkNoTable(ctx);
  const opts = writeOptions(ctx);
  const binding = await decodeObject(ctx, opts, bindingTarget);
  binding.metadata ??= {};
  const pods = ctx.types.lookup('', 'v1', 'pods');
  if (!pods) throw errors.notFoundPath();
  await bindPod(ctx.store, pods, ctx.info.namespace, name(binding), binding, opts);
  respondSuccess(ctx, 201);
}

export async function createBinding(ctx: HandlerContext): Promise<void> {
  await bind(ctx, () => ctx.info.name);
}

/** The bindings resource names the pod in the Binding itself. */
export async function createLegacyBinding(ctx: HandlerContext): Promise<void> {
  await bind(ctx, (binding) => binding.metadata.name ?? '');
}
