// The post-start hook kube calls kube-apiserver-autoregistration: one AutoRegistration per store,
// started once, for the built-in group/versions this server serves and every CRD's.
import { AutoRegistration, builtinAPIServices } from '../../aggregator/autoregister.js';
import type { GenericStore } from '../../registry/store.js';
import { customresourcedefinitions } from '../apiextensions/customresourcedefinitions.js';
import { builtinResources } from '../index.js';
import type { PostStartContext } from '../post-start.js';
import { apiservices } from './apiservices.js';

const running = new WeakMap<GenericStore, AutoRegistration>();

export async function startAutoRegistration(ctx: PostStartContext): Promise<void> {
  if (running.has(ctx.store)) return;
  const gvs = new Map(builtinResources.map((rt) => [`${rt.group}/${rt.version}`, { group: rt.group, version: rt.version }]));
  const controller = new AutoRegistration(ctx.store, apiservices, customresourcedefinitions, builtinAPIServices([...gvs.values()]));
  running.set(ctx.store, controller);
  await controller.start();
  await controller.done;
}

export function stopAutoRegistration(store: GenericStore): void {
  running.get(store)?.stop();
  running.delete(store);
}
