// Runs the post-start hooks in order, again from the first until they all pass (etcd may not be up yet);
// `done` collects the names of those that passed, for /readyz's poststarthook/<name> checks.
import type { PostStartContext, PostStartHook } from './resources/post-start.js';
import { logger } from './logging/logger.js';

export async function runPostStartHooks(hooks: readonly PostStartHook[], ctx: PostStartContext, done?: Set<string>): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      for (const hook of hooks) {
        await hook.run(ctx);
        done?.add(hook.name);
      }
      return;
    } catch (e) {
      if (attempt % 10 === 0) logger.error(`post-start hooks: etcd not ready yet: ${(e as Error).message}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
