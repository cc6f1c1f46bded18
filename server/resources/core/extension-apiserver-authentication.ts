// The post-start hook kube calls start-cluster-authentication-info-controller: one controller per store.
import { authenticationInfoFromConfig, ClusterAuthenticationTrust } from '../../aggregator/authentication-info.js';
import type { GenericStore } from '../../registry/store.js';
import type { PostStartContext } from '../post-start.js';
import { configmaps } from './configmaps.js';

const running = new WeakMap<GenericStore, ClusterAuthenticationTrust>();

export async function startClusterAuthenticationTrust(ctx: PostStartContext): Promise<void> {
  let controller = running.get(ctx.store);
  if (!controller) {
    controller = new ClusterAuthenticationTrust(ctx.store, configmaps, authenticationInfoFromConfig(ctx.config.security));
    running.set(ctx.store, controller);
  }
  await controller.start();
}

export function stopClusterAuthenticationTrust(store: GenericStore): void {
  running.get(store)?.stop();
  running.delete(store);
}
