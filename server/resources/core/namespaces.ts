import { errors } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { tableOf } from '../../table/format.js';
import { defineResource } from '../define.js';
import { checkNamespaceDeletable, deleteNamespaceContents } from './namespace-lifecycle.js';

interface NamespaceStatus { phase?: string }

export const namespaces = defineResource({
  group: '', version: 'v1', kind: 'Namespace', resource: 'namespaces', namespaced: false, shortNames: ['ns'],
  verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  subresources: { status: true },
  nameRule: 'dns1123-label',
  strategy: {
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
    async beforeDelete(obj, ctx) {
      checkNamespaceDeletable(obj.metadata.name!);
      if (ctx.dryRun) return;
      // Terminating first, so nothing new is created in it while its contents go.
      await ctx.store.guaranteedUpdate(namespaces, '', obj.metadata.name!, { dryRun: false, fieldValidation: 'Ignore', warnings: [] }, async (cur) => {
        if (!cur) throw errors.notFound({ group: '', resource: 'namespaces' }, obj.metadata.name!);
        cur.status = { ...(cur.status as object), phase: 'Terminating' };
        return { update: cur };
      }, 'status');
      await deleteNamespaceContents(ctx.store, ctx.types, obj.metadata.name!, false);
    },
    selectableFields: { 'status.phase': (o) => (o.status as NamespaceStatus | undefined)?.phase },
    table: tableOf([['Status', 'string', 'The status of the namespace', 0, (o) => (o.status as NamespaceStatus | undefined)?.phase ?? '']]),
  },
});
