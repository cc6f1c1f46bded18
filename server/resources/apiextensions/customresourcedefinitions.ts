// CustomResourceDefinitions, stored and validated; serving the custom resources is a later issue.
import { field, type FieldError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { column } from '../../table/types.js';
import { isDNS1035Label, isDNS1123Subdomain } from '../../validation/names.js';
import { nowTimestamp } from '../../registry/store.js';
import { defineResource } from '../define.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

function validateCRD(obj: KubeObject): FieldError[] {
  const spec = (obj.spec ?? {}) as Obj;
  const names = spec.names ?? {};
  const errs: FieldError[] = [];
  if (!spec.group) errs.push(field.required('spec.group'));
  else {
    for (const m of isDNS1123Subdomain(spec.group)) errs.push(field.invalid('spec.group', spec.group, m));
    if (spec.group.split('.').length < 2) errs.push(field.invalid('spec.group', spec.group, "should be a domain with at least one dot"));
  }
  if (!names.plural) errs.push(field.required('spec.names.plural'));
  if (!names.kind) errs.push(field.required('spec.names.kind'));
  if (!names.listKind && names.kind) names.listKind = `${names.kind}List`;
  if (names.plural && spec.group && obj.metadata.name !== `${names.plural}.${spec.group}`) {
    errs.push(field.invalid('metadata.name', obj.metadata.name, 'must be spec.names.plural+"."+spec.group'));
  }
  for (const k of ['plural', 'singular']) if (names[k]) for (const m of isDNS1035Label(names[k])) errs.push(field.invalid(`spec.names.${k}`, names[k], m));
  if (!['Namespaced', 'Cluster'].includes(spec.scope)) errs.push(field.notSupported('spec.scope', spec.scope ?? '', ['Cluster', 'Namespaced']));
  const versions: Obj[] = spec.versions ?? [];
  if (!versions.length) errs.push(field.invalid('spec.versions', versions, 'must have exactly one version marked as storage version'));
  else if (versions.filter((v) => v.storage).length !== 1) errs.push(field.invalid('spec.versions', versions, 'must have exactly one version marked as storage version'));
  const seen = new Set<string>();
  for (const [i, v] of versions.entries()) {
    if (!v.name) errs.push(field.required(`spec.versions[${i}].name`));
    else if (seen.has(v.name)) errs.push(field.invalid('spec.versions', versions, 'must contain unique version names'));
    seen.add(v.name);
    if (!v.schema?.openAPIV3Schema) errs.push(field.required(`spec.versions[${i}].schema.openAPIV3Schema`, 'schemas are required'));
  }
  return errs;
}

export const customresourcedefinitions = defineResource({
  group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition', resource: 'customresourcedefinitions', namespaced: false,
  shortNames: ['crd', 'crds'], categories: ['api-extensions'], subresources: { status: true },
  storage: 'apiextensions.k8s.io/customresourcedefinitions',
  strategy: {
    trackGeneration: true,
    prepareForCreate(obj) {
      const spec = (obj.spec ?? {}) as Obj;
      const now = nowTimestamp();
      // What the CRD controllers would report at once: the names are accepted and the API established.
      obj.status = {
        acceptedNames: spec.names ?? {},
        conditions: [
          { type: 'NamesAccepted', status: 'True', lastTransitionTime: now, reason: 'NoConflicts', message: 'no conflicts found' },
          { type: 'Established', status: 'True', lastTransitionTime: now, reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' },
        ],
        storedVersions: (spec.versions ?? []).filter((v: Obj) => v.storage).map((v: Obj) => v.name),
      };
    },
    prepareForUpdate(obj, old) {
      obj.status = old.status;
    },
    defaults(obj) {
      const spec = (obj.spec ??= {}) as Obj;
      spec.conversion ??= { strategy: 'None' };
      spec.names ??= {};
      if (spec.names.kind) spec.names.listKind ??= `${spec.names.kind}List`;
      if (spec.names.kind) spec.names.singular ??= String(spec.names.kind).toLowerCase();
    },
    validate: validateCRD,
    validateUpdate(obj, old) {
      const a = obj.spec as Obj;
      const b = old.spec as Obj;
      const errs: FieldError[] = [];
      if (a?.group !== b?.group) errs.push(field.invalid('spec.group', a?.group, 'field is immutable'));
      if (a?.names?.plural !== b?.names?.plural) errs.push(field.invalid('spec.names.plural', a?.names?.plural, 'field is immutable'));
      if (a?.scope !== b?.scope) errs.push(field.invalid('spec.scope', a?.scope, 'field is immutable'));
      return errs;
    },
    table: {
      columns: [
        column('Name', 'string', 'Name must be unique within a namespace.', 0, 'name'),
        column('Created At', 'date', 'CreationTimestamp is a timestamp representing the server time when this object was created.'),
      ],
      cells: (o) => [o.metadata.name, o.metadata.creationTimestamp],
    },
  },
});
