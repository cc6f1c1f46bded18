import { field, type FieldError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { type ColumnSpec, tableOf } from '../../table/format.js';
import { isPathSegmentName } from '../../validation/names.js';
import { defineResource } from '../define.js';
import { bindingEscalationCheck, onlyGarbageCollectionFields } from './escalation-check.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const group = 'rbac.authorization.k8s.io';
const subjectKinds = ['ServiceAccount', 'User', 'Group'];

/** ValidateRoleBinding / ValidateClusterRoleBinding: a ClusterRoleBinding may only name a ClusterRole. */
export function validateBinding(obj: KubeObject, namespaced: boolean): FieldError[] {
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
    if (!subjectKinds.includes(s.kind)) errs.push(field.notSupported(`${p}.kind`, s.kind ?? '', subjectKinds));
    if (s.kind === 'ServiceAccount' && s.apiGroup) errs.push(field.notSupported(`${p}.apiGroup`, s.apiGroup, ['']));
    if ((s.kind === 'User' || s.kind === 'Group') && s.apiGroup !== group) errs.push(field.notSupported(`${p}.apiGroup`, s.apiGroup ?? '', [group]));
    if (s.kind === 'ServiceAccount' && !s.namespace && !namespaced) errs.push(field.required(`${p}.namespace`));
  }
  return errs;
}

/** rbac/v1 defaults: roleRef.apiGroup, and the apiGroup of User and Group subjects. */
export function defaultBinding(obj: KubeObject): void {
  const ref = (obj.roleRef ??= {}) as Obj;
  if (!ref.apiGroup) ref.apiGroup = group;
  for (const s of (obj.subjects ?? []) as Obj[]) {
    if (!s.apiGroup && (s.kind === 'User' || s.kind === 'Group')) s.apiGroup = group;
  }
}

export function validateRoleRefUnchanged(obj: KubeObject, old: KubeObject): FieldError[] {
  return JSON.stringify(obj.roleRef) === JSON.stringify(old.roleRef) ? [] : [field.invalid('roleRef', obj.roleRef, 'cannot change roleRef')];
}

/** ROLE, then USERS GROUPS SERVICEACCOUNTS with -o wide, as rbac.SubjectsStrings splits them. */
export function bindingTable(noun: string) {
  const names = (o: Obj, kind: string) => ((o.subjects ?? []) as Obj[]).filter((s) => s.kind === kind)
    .map((s) => (kind === 'ServiceAccount' ? `${s.namespace ?? ''}/${s.name}` : s.name)).join(', ');
  const columns: ColumnSpec[] = [
    ['Role', 'string', `RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error.`, 0, (o: Obj) => `${o.roleRef?.kind}/${o.roleRef?.name}`],
    ['Users', 'string', `Users in the ${noun}`, 1, (o: Obj) => names(o, 'User')],
    ['Groups', 'string', `Groups in the ${noun}`, 1, (o: Obj) => names(o, 'Group')],
    ['ServiceAccounts', 'string', `ServiceAccounts in the ${noun}`, 1, (o: Obj) => names(o, 'ServiceAccount')],
  ];
  return tableOf(columns);
}

export const rolebindings = defineResource({
  group, version: 'v1', kind: 'RoleBinding', resource: 'rolebindings', namespaced: true, nameRule: 'path-segment',
  strategy: {
    defaults: defaultBinding, validate: (o) => validateBinding(o, true), validateUpdate: validateRoleRefUnchanged, table: bindingTable('roleBinding'),
    beforeCreate: (o, ctx) => bindingEscalationCheck(rolebindings)(o, ctx),
    beforeUpdate: async (o, old, ctx) => {
      if (!onlyGarbageCollectionFields(o, old)) await bindingEscalationCheck(rolebindings)(o, ctx);
    },
  },
});
