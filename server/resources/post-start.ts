// What a post-start hook is given: the few things start-up work needs, not the whole server.
import type { EtcdAllocators } from '../allocators/allocators.js';
import type { ServerConfig } from '../config.js';
import type { TypeRegistry } from '../registry/registry.js';
import type { GenericStore } from '../registry/store.js';

export interface PostStartContext {
  store: GenericStore;
  types: TypeRegistry;
  allocators: EtcdAllocators;
  config: ServerConfig;
  /** Whether the watch cache has caught up, so list-driven work sees every object. */
  cacheReady(): boolean;
}

/** Start-up work run once the server listens (kube's PostStartHooks); idempotent, since it is retried after a failure. */
export interface PostStartHook {
  name: string;
  run(ctx: PostStartContext): Promise<void>;
}
