// What a fresh cluster has: the four system namespaces (and, once services land, the `kubernetes` service).
import { ApiError } from './api/errors.js';
import type { APIServer } from './apiserver.js';

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
  await ensureKubernetesService(server);
  for (const hook of bootstrapHooks) await hook(server);
}

/** The `kubernetes` Service in default, on the first address of the service range, as kube-apiserver keeps it. */
async function ensureKubernetesService(server: APIServer): Promise<void> {
  const svc = server.types.lookup('', 'v1', 'services');
  if (!svc) return;
  try {
    await server.store.create(svc, 'default', {
      apiVersion: 'v1', kind: 'Service',
      metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: { clusterIP: server.allocators.firstIP(), ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: server.config.securePort }] },
    }, { dryRun: false, fieldValidation: 'Ignore', warnings: [] });
  } catch (e) {
    // Already there, or its address taken by an earlier start: either way the service exists.
    if (!(e instanceof ApiError && (e.reason === 'AlreadyExists' || e.reason === 'Invalid'))) throw e;
  }
}

/** Further start-up work other modules add (the `kubernetes` service...). */
export const bootstrapHooks: Array<(server: APIServer) => Promise<void>> = [];
