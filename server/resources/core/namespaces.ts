import { errors } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import type { StrategyContext } from '../../registry/types.js';
import { tableOf } from '../../table/format.js';
import { defineResource } from '../define.js';
import { checkNamespaceDeletable, deleteNamespaceContents, terminatingConditions } from './namespace-lifecycle.js';

interface NamespaceStatus { phase?: string; conditions?: unknown[] }

/** Writes the namespace's status (phase, conditions) through the status path, keeping everything else. */
async function setStatus(ctx: StrategyContext, name: string, status: NamespaceStatus): Promise<void> {
  await ctx.store.guaranteedUpdate(namespaces, '', name, { dryRun: false, fieldValidation: 'Ignore', warnings: [] }, async (cur) => {
    if (!cur) throw errors.notFound({ group: '', resource: 'namespaces' }, name);
    cur.status = { ...(cur.status as object), ...status };
    return { update: cur };
  }, 'status');
}

const terminating = (o: KubeObject) => {
  o.status = { ...(o.status as object), phase: 'Terminating' };
};

export const namespaces = defineResource({
  group: '', version: 'v1', kind: 'Namespace', resource: 'namespaces', namespaced: false, shortNames: ['ns'],
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: { status: true, others: [{ name: 'finalize', kind: { group: '', version: 'v1', kind: 'Namespace' }, verbs: ['update'] }] },
  nameRule: 'dns1123-label',
  strategy: {
    // kube's namespaceStatusStrategy resets the spec only: a status write keeps its labels and annotations.
    subresourceStrategies: { status: { prepareForUpdate(obj, old) { obj.spec = old.spec; } } },
    prepareForCreate(obj: KubeObject) {
      obj.status = { phase: 'Active' };
      const spec = (obj.spec ??= {}) as { finalizers?: string[] };
      spec.finalizers = [...new Set([...(spec.finalizers ?? []), 'kubernetes'])];
    },
    prepareForUpdate(obj, old) {
      obj.status = old.status;
      obj.spec = old.spec;
    },
    defaults(obj) {
      obj.status ??= { phase: 'Active' };
      const status = obj.status as NamespaceStatus;
      status.phase ??= 'Active';
      // kube-apiserver labels every namespace with its own name.
      obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name ?? '' };
    },
    // kube's ShouldDeleteNamespaceDuringUpdate: not while spec.finalizers remain.
    deleteDuringUpdate: (obj) => !(obj.spec as { finalizers?: string[] } | undefined)?.finalizers?.length,
    async beforeDelete(obj) {
      checkNamespaceDeletable(obj.metadata.name!);
    },
    // The namespace controller's work, inline (when no controller manager runs): Terminating first (no new
    // content), then its contents go; the namespace goes with them, or stays Terminating while something
    // in it is still finishing.
    async checkGracefulDelete(obj, options, ctx) {
      const name = obj.metadata.name!;
      if (ctx.dryRun) return { gracePeriodSeconds: 0, mark: terminating };
      // The store refuses unmet preconditions (409) only after this hook: then nothing may be deleted here.
      const pre = options.preconditions;
      if ((pre?.uid && pre.uid !== obj.metadata.uid) || (pre?.resourceVersion && pre.resourceVersion !== obj.metadata.resourceVersion)) {
        return { gracePeriodSeconds: 0, mark: terminating };
      }
      // With the real controller manager, its namespace controller empties the namespace and removes the
      // `kubernetes` finalizer through /finalize, as in kube; the namespace stays until then.
      if (await ctx.controllerManager.active()) {
        return ((obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? []).length ? { gracePeriodSeconds: 0, mark: terminating } : undefined;
      }
      if ((obj.status as NamespaceStatus | undefined)?.phase !== 'Terminating') await setStatus(ctx, name, { phase: 'Terminating' });
      const remaining = await deleteNamespaceContents(ctx.store, ctx.types, name);
      if (!remaining.resources.size) return undefined;
      await setStatus(ctx, name, { phase: 'Terminating', conditions: terminatingConditions(remaining) });
      return { gracePeriodSeconds: 0, mark: terminating };
    },
    selectableFields: { 'status.phase': (o) => (o.status as NamespaceStatus | undefined)?.phase },
    table: tableOf([['Status', 'string', 'The status of the namespace', 0, (o) => (o.status as NamespaceStatus | undefined)?.phase ?? '']]),
  },
});
