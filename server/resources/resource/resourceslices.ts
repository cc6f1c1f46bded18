import { field, type FieldError } from '../../api/errors.js';
import { tableOf } from '../../table/format.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../../validation/names.js';
import { defineResource } from '../define.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const oneOf = 'exactly one of `nodeName`, `nodeSelector`, `allNodes`, `perDeviceNodeSelection` is required';

function validatePool(pool: Obj | undefined): FieldError[] {
  const p = pool ?? {};
  const errs: FieldError[] = [];
  if (!p.name) errs.push(field.required('spec.pool.name'));
  // A pool name is one or more DNS subdomains separated by slashes.
  else for (const part of String(p.name).split('/')) for (const m of isDNS1123Subdomain(part)) errs.push(field.invalid('spec.pool.name', part, m));
  if (!((p.resourceSliceCount ?? 0) > 0)) errs.push(field.invalid('spec.pool.resourceSliceCount', p.resourceSliceCount ?? 0, 'must be greater than zero'));
  if ((p.generation ?? 0) < 0) errs.push(field.invalid('spec.pool.generation', p.generation, 'must be greater than or equal to zero'));
  return errs;
}

/** Exactly one way of saying which nodes see the pool; an empty or false one is its own error. */
function validateNodeSelection(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const set: string[] = [];
  if (spec.nodeName !== undefined && spec.nodeName !== null) {
    if (spec.nodeName === '') errs.push(field.invalid('spec.nodeName', '', 'must be either unset or set to a non-empty string'));
    else {
      set.push('nodeName');
      for (const m of isDNS1123Subdomain(spec.nodeName)) errs.push(field.invalid('spec.nodeName', spec.nodeName, m));
    }
  }
  if (spec.nodeSelector) {
    set.push('nodeSelector');
    const terms = spec.nodeSelector.nodeSelectorTerms ?? [];
    if (!terms.length) errs.push(field.required('spec.nodeSelector.nodeSelectorTerms', 'must have at least one node selector term'));
    if (terms.length !== 1) errs.push(field.invalid('spec.nodeSelector.nodeSelectorTerms', terms, 'must have exactly one node selector term'));
  }
  for (const k of ['allNodes', 'perDeviceNodeSelection']) {
    if (spec[k] === true) set.push(k);
    else if (spec[k] === false) errs.push(field.invalid(`spec.${k}`, false, 'must be either unset or set to true'));
  }
  if (!set.length) errs.push(field.required('spec', oneOf));
  else if (set.length > 1) errs.push(field.invalid('spec', `{${set.map((k) => `\`${k}\``).join(', ')}}`, `${oneOf}, but multiple fields are set`));
  return errs;
}

function validateSpec(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  if (!spec.driver) errs.push(field.required('spec.driver'));
  else for (const m of isDNS1123Subdomain(spec.driver.toLowerCase())) errs.push(field.invalid('spec.driver', spec.driver, m));
  errs.push(...validatePool(spec.pool));
  errs.push(...validateNodeSelection(spec));
  const names = new Set<string>();
  for (const [i, d] of ((spec.devices ?? []) as Obj[]).entries()) {
    for (const m of isDNS1123Label(d.name ?? '')) errs.push(field.invalid(`spec.devices[${i}].name`, d.name ?? '', m));
    if (names.has(d.name)) errs.push(field.duplicate(`spec.devices[${i}]`, d.name));
    names.add(d.name);
  }
  return errs;
}

export const resourceslices = defineResource({
  group: 'resource.k8s.io', version: 'v1', kind: 'ResourceSlice', resource: 'resourceslices', namespaced: false,
  strategy: {
    trackGeneration: true,
    defaults(obj) {
      // pool.generation is not omitempty in Go: a missing one is 0.
      const pool = (obj.spec as Obj | undefined)?.pool;
      if (pool) pool.generation ??= 0;
    },
    validate: (obj) => validateSpec((obj.spec ?? {}) as Obj),
    validateUpdate(obj, old) {
      const spec = (obj.spec ?? {}) as Obj;
      const before = (old.spec ?? {}) as Obj;
      const errs: FieldError[] = [];
      if (spec.pool?.name !== before.pool?.name) errs.push(field.invalid('spec.pool.name', spec.pool?.name ?? '', 'field is immutable'));
      for (const k of ['driver', 'nodeName']) if (spec[k] !== before[k]) errs.push(field.invalid(`spec.${k}`, spec[k] ?? '', 'field is immutable'));
      return errs;
    },
    // kube lets a field selector pick a node's or a driver's slices.
    selectableFields: {
      'spec.nodeName': (o) => (o.spec as Obj | undefined)?.nodeName ?? '',
      'spec.driver': (o) => (o.spec as Obj | undefined)?.driver ?? '',
    },
    table: tableOf([
      ['Node', 'string', 'NodeName identifies the node which provides the resources in this pool. A field selector can be used to list only ResourceSlice objects belonging to a certain node.', 0, (o: Obj) => o.spec?.nodeName ?? ''],
      ['Driver', 'string', 'Driver identifies the DRA driver providing the capacity information. A field selector can be used to list only ResourceSlice objects with a certain driver name.', 0, (o: Obj) => o.spec?.driver ?? ''],
      ['Pool', 'string', 'Name is used to identify the pool. For node-local devices, this is often the node name, but this is not required.', 0, (o: Obj) => o.spec?.pool?.name ?? ''],
    ]),
  },
});
