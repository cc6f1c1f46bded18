// Roles, ClusterRoles and their bindings: stored and validated (enforcing them is the authorization issue).
import { field, type FieldError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { column, type TableDefinition } from '../../table/types.js';
import { tableOf } from '../../table/format.js';
import { defineResource, type ResourceFacts } from '../define.js';
import { isPathSegmentName } from '../../validation/names.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const group = 'rbac.authorization.k8s.io';

const createdAt: TableDefinition = {
  columns: [
    column('Name', 'string', 'Name must be unique within a namespace.', 0, 'name'),
    column('Created At', 'date', 'CreationTimestamp is a timestamp representing the server time when this object was created.'),
  ],
  cells: (o) => [o.metadata.name, o.metadata.creationTimestamp],
};

function validateRules(obj: KubeObject, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  for (const [i, r] of ((obj.rules ?? []) as Obj[]).entries()) {
    const p = `rules[${i}]`;
    if (!(r.verbs ?? []).length) errs.push(field.required(`${p}.verbs`, 'verbs must contain at least one value'));
    if ((r.nonResourceURLs ?? []).length) {
      if (namespaced) errs.push(field.invalid(`${p}.nonResourceURLs`, r.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'));
      if ((r.apiGroups ?? []).length || (r.resources ?? []).length || (r.resourceNames ?? []).length) {
        errs.push(field.invalid(`${p}.nonResourceURLs`, r.nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'));
      }
    } else {
      if (!(r.apiGroups ?? []).length) errs.push(field.required(`${p}.apiGroups`, 'resource rules must supply at least one api group'));
      if (!(r.resources ?? []).length) errs.push(field.required(`${p}.resources`, 'resource rules must supply at least one resource'));
    }
  }
  return errs;
}

function validateBinding(obj: KubeObject, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ref = (obj.roleRef ?? {}) as Obj;
  if (ref.apiGroup !== group) errs.push(field.notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [group]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind)) errs.push(field.notSupported('roleRef.kind', ref.kind ?? '', kinds));
  if (!ref.name) errs.push(field.required('roleRef.name'));
  else for (const m of isPathSegmentName(ref.name)) errs.push(field.invalid('roleRef.name', ref.name, m));
  for (const [i, s] of ((obj.subjects ?? []) as Obj[]).entries()) {
    const p = `subjects[${i}]`;
    if (!s.name) errs.push(field.required(`${p}.name`));
    if (!['ServiceAccount', 'User', 'Group'].includes(s.kind)) errs.push(field.notSupported(`${p}.kind`, s.kind ?? '', ['ServiceAccount', 'User', 'Group']));
    if (s.kind === 'ServiceAccount' && !s.namespace && !namespaced) errs.push(field.required(`${p}.namespace`));
  }
  return errs;
}

function roleRefChange(obj: KubeObject, old: KubeObject): FieldError[] {
  return JSON.stringify(obj.roleRef) === JSON.stringify(old.roleRef) ? [] : [field.invalid('roleRef', obj.roleRef, 'cannot change roleRef')];
}

const bindingTable = tableOf([
  ['Role', 'string', 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.', 0, (o: Obj) => `${o.roleRef?.kind}/${o.roleRef?.name}`],
  ['Users', 'string', 'Users in the binding', 1, (o: Obj) => (o.subjects ?? []).filter((s: Obj) => s.kind === 'User').map((s: Obj) => s.name).join(', ')],
  ['Groups', 'string', 'Groups in the binding', 1, (o: Obj) => (o.subjects ?? []).filter((s: Obj) => s.kind === 'Group').map((s: Obj) => s.name).join(', ')],
  ['ServiceAccounts', 'string', 'ServiceAccounts in the binding', 1, (o: Obj) => (o.subjects ?? []).filter((s: Obj) => s.kind === 'ServiceAccount').map((s: Obj) => `${s.namespace ?? ''}/${s.name}`).join(', ')],
], { ageAt: 1 });

const base = (f: Omit<ResourceFacts, 'group' | 'version' | 'nameRule'>) => defineResource({ ...f, group, version: 'v1', nameRule: 'path-segment' });

export const roles = base({
  kind: 'Role', resource: 'roles', namespaced: true,
  strategy: { validate: (o) => validateRules(o, true), table: createdAt },
});
export const clusterroles = base({
  kind: 'ClusterRole', resource: 'clusterroles', namespaced: false,
  strategy: { validate: (o) => validateRules(o, false), table: createdAt },
});
export const rolebindings = base({
  kind: 'RoleBinding', resource: 'rolebindings', namespaced: true,
  strategy: { validate: (o) => validateBinding(o, true), validateUpdate: roleRefChange, table: bindingTable },
});
export const clusterrolebindings = base({
  kind: 'ClusterRoleBinding', resource: 'clusterrolebindings', namespaced: false,
  strategy: { validate: (o) => validateBinding(o, false), validateUpdate: roleRefChange, table: bindingTable },
});
