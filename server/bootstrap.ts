// What a fresh cluster has: the four system namespaces, the `kubernetes` service, and the work that keeps them.
import { ApiError } from './api/errors.js';
import type { APIServer } from './apiserver.js';
import { ensureKubernetesService } from './resources/core/kubernetes-service.js';
import { startNamespaceFinisher } from './resources/core/namespace-lifecycle.js';

export const systemNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export async function bootstrap(server: APIServer): Promise<void> {
  const nsType = server.types.lookup('', 'v1', 'namespaces')!;
  for (const name of systemNamespaces) {
    try {
      await server.store.create(nsType, '', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, { dryRun: false, fieldValidation: 'Ignore', warnings: [] });
    } catch (e) {
      if (!(e instanceof ApiError && e.reason === 'AlreadyExists')) throw e;
    }
  }
  for (const hook of bootstrapHooks) await hook(server);
}

/** Further start-up work, run after the namespaces exist (bootstrap may run again after a failure: hooks are idempotent). */
export const bootstrapHooks: Array<(server: APIServer) => Promise<void>> = [
  ensureKubernetesService,
  async (server) => startNamespaceFinisher(server),
];
