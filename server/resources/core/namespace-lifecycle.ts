// What kube-apiserver's namespace controller does, done inline: deleting a namespace deletes
// everything in it, then the namespace. The four system namespaces cannot be deleted.
import { ApiError, errors } from '../../api/errors.js';
import type { GenericStore } from '../../registry/store.js';
import type { TypeRegistry } from '../../registry/registry.js';
import { systemNamespaces } from '../../bootstrap.js';

export async function deleteNamespaceContents(store: GenericStore, types: TypeRegistry, namespace: string, dryRun: boolean): Promise<void> {
  if (dryRun) return;
  // Each stored resource once, even when several versions serve it.
  const seen = new Set<string>();
  for (const rt of types.all()) {
    if (!rt.namespaced || rt.virtual || seen.has(rt.storagePrefix)) continue;
    seen.add(rt.storagePrefix);
    const list = await store.list(rt, namespace, {});
    for (const item of list.items) {
      try {
        const res = await store.delete(rt, namespace, item.metadata.name!, {}, { dryRun: false, fieldValidation: 'Ignore', warnings: [] });
        // Objects held by finalizers: nobody else will remove them here, so the namespace lets go of them.
        if (!res.deleted) {
          await store.guaranteedUpdate(rt, namespace, item.metadata.name!, { dryRun: false, fieldValidation: 'Ignore', warnings: [] }, async (cur) => {
            if (!cur) throw errors.notFound({ group: rt.group, resource: rt.resource }, item.metadata.name!);
            cur.metadata.finalizers = [];
            return { update: cur };
          });
        }
      } catch (e) {
        if (!(e instanceof ApiError && e.code === 404)) throw e;
      }
    }
  }
}

export function checkNamespaceDeletable(name: string): void {
  if (systemNamespaces.includes(name)) {
    throw errors.forbidden(`namespaces "${name}" is forbidden: this namespace may not be deleted`, { name, kind: 'namespaces' });
  }
}
