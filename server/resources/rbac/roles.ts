// Roles: stored and validated here; enforcing them is the authorization filter's work.
import { field, type FieldError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { column, type TableDefinition } from '../../table/types.js';
import { defineResource } from '../define.js';
import { onlyGarbageCollectionFields, roleEscalationCheck } from './escalation-check.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

/** kube-apiserver has no printer for (Cluster)Roles: they get the default NAME / CREATED AT table. */
export const createdAtTable: TableDefinition = {
  columns: [
    column('Name', 'string', 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names', 0, 'name'),
    column('Created At', 'date', 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata'),
  ],
  cells: (o) => [o.metadata.name, o.metadata.creationTimestamp],
};

/** ValidatePolicyRule for each rule; namespaced rules may not name non-resource URLs. */
export function validateRules(obj: KubeObject, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  for (const [i, r] of ((obj.rules ?? []) as Obj[]).entries()) {
    const p = `rules[${i}]`;
    if (!(r.verbs ?? []).length) errs.push(field.required(`${p}.verbs`, 'verbs must contain at least one value'));
    if ((r.nonResourceURLs ?? []).length) {
      if (namespaced) errs.push(field.invalid(`${p}.nonResourceURLs`, r.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'));
      if ((r.apiGroups ?? []).length || (r.resources ?? []).length || (r.resourceNames ?? []).length) {
        errs.push(field.invalid(`${p}.nonResourceURLs`, r.nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'));
      }
      continue;
    }
    if (!(r.apiGroups ?? []).length) errs.push(field.required(`${p}.apiGroups`, 'resource rules must supply at least one api group'));
    if (!(r.resources ?? []).length) errs.push(field.required(`${p}.resources`, 'resource rules must supply at least one resource'));
  }
  return errs;
}

export const roles = defineResource({
  group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'Role', resource: 'roles', namespaced: true, nameRule: 'path-segment',
  strategy: {
    validate: (o) => validateRules(o, true), table: createdAtTable,
    beforeCreate: (o, ctx) => roleEscalationCheck(roles, () => '')(o, ctx),
    beforeUpdate: async (o, old, ctx) => {
      if (!onlyGarbageCollectionFields(o, old)) await roleEscalationCheck(roles, (x) => x.metadata.name ?? '')(o, ctx);
    },
  },
});
