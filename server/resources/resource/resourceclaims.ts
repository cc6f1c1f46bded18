import { isDeepStrictEqual } from 'node:util';
import { field, FieldError } from '../../api/errors.js';
import { tableOf } from '../../table/format.js';
import { defineResource } from '../define.js';
import { statusSplit } from '../status.js';
import { defaultClaimSpec, validateClaimSpec } from './device-requests.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

/** kubectl's STATE cell: deleted, pending, allocated, reserved, comma-joined. */
function state(o: Obj): string {
  const states: string[] = [];
  const deleted = Boolean(o.metadata?.deletionTimestamp);
  if (deleted) states.push('deleted');
  if (!o.status?.allocation) {
    if (!deleted) states.push('pending');
  } else {
    states.push('allocated');
    if ((o.status.reservedFor ?? []).length) states.push('reserved');
  }
  return states.join(',');
}

const maxReservedFor = 256;

/** kube's status rules that matter most: who reserved the claim, and only once it is allocated. */
function validateStatus(status: Obj | undefined): FieldError[] {
  const reservedFor: Obj[] = status?.reservedFor ?? [];
  const errs: FieldError[] = [];
  if (reservedFor.length > maxReservedFor) errs.push(new FieldError('FieldValueTooMany', 'status.reservedFor', reservedFor.length, `${reservedFor.length}: must have at most ${maxReservedFor} items`));
  const uids = new Set<string>();
  for (const [i, ref] of reservedFor.entries()) {
    for (const k of ['resource', 'name', 'uid']) if (!ref[k]) errs.push(field.required(`status.reservedFor[${i}].${k}`));
    if (ref.uid && uids.has(ref.uid)) errs.push(field.duplicate(`status.reservedFor[${i}]`, ref.uid));
    uids.add(ref.uid);
  }
  if (reservedFor.length && !status?.allocation) errs.push(field.forbidden('status.reservedFor', 'may not be specified when `allocated` is not set'));
  return errs;
}

export const resourceclaims = defineResource({
  group: 'resource.k8s.io', version: 'v1', kind: 'ResourceClaim', resource: 'resourceclaims', namespaced: true,
  subresources: { status: true },
  strategy: {
    ...statusSplit(),
    defaults: (obj) => defaultClaimSpec(obj.spec as Obj | undefined),
    validate: (obj) => [...validateClaimSpec(obj.spec as Obj | undefined, 'spec'), ...validateStatus(obj.status as Obj | undefined)],
    validateUpdate(obj, old) {
      // kube prints the internal Go struct here; ours shows the JSON spec.
      const errs = isDeepStrictEqual(obj.spec, old.spec) ? [] : [field.invalid('spec', obj.spec, 'field is immutable')];
      // An allocation, once made, stays as it is until it is removed.
      const [now, before] = [(obj.status as Obj | undefined)?.allocation, (old.status as Obj | undefined)?.allocation];
      if (now && before && !isDeepStrictEqual(now, before)) errs.push(field.invalid('status.allocation', now, 'field is immutable'));
      return errs;
    },
    table: tableOf([['State', 'string', 'A summary of the current state (allocated, pending, reserved, etc.).', 0, state]]),
  },
});
