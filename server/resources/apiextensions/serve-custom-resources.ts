// The post-start hook that serves custom resources: one CRD watcher per store, started once;
// start-up waits until the CRDs stored before it are served.
import { CustomResourceDefinitionWatcher } from '../../apiextensions/crd-watcher.js';
import type { GenericStore } from '../../registry/store.js';
import type { PostStartContext } from '../post-start.js';
import { customresourcedefinitions } from './customresourcedefinitions.js';

const watchers = new WeakMap<GenericStore, CustomResourceDefinitionWatcher>();

export async function startCustomResourceDefinitionWatcher(ctx: PostStartContext): Promise<void> {
  let w = watchers.get(ctx.store);
  if (!w) {
    w = new CustomResourceDefinitionWatcher(ctx.store, ctx.types, customresourcedefinitions);
    watchers.set(ctx.store, w);
    void w.start();
  }
  await w.synced();
}

/** Stops the watcher of a store (server shutdown). */
export function stopCustomResourceDefinitionWatcher(store: GenericStore): void {
  watchers.get(store)?.stop();
  watchers.delete(store);
}
