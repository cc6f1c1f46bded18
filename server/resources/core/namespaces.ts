import type { KubeObject } from '../../api/object.js';
import { tableOf } from '../../table/format.js';
import { defineResource } from '../define.js';

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
    selectableFields: { 'status.phase': (o) => (o.status as NamespaceStatus | undefined)?.phase },
    table: tableOf([['Status', 'string', 'The status of the namespace', 0, (o) => (o.status as NamespaceStatus | undefined)?.phase ?? '']]),
  },
});
