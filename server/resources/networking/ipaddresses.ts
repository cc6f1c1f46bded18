import { isDeepStrictEqual } from 'node:util';
import { ApiError, field, type FieldError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { AllocationError } from '../../allocators/allocators.js';
import type { StrategyContext } from '../../registry/types.js';
import { age } from '../../table/format.js';
import { column } from '../../table/types.js';
import { isDNS1123Subdomain, isPathSegmentName } from '../../validation/names.js';
import { defineResource } from '../define.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

function validateParentRef(ref: Obj | undefined): FieldError[] {
  if (!ref) return [field.required('spec.parentRef')];
  const errs: FieldError[] = [];
  // group is required, but the core group of Services is '', so it cannot be enforced.
  if (ref.group) for (const m of isDNS1123Subdomain(ref.group)) errs.push(field.invalid('spec.parentRef.group', ref.group, m));
  for (const k of ['resource', 'name']) {
    if (!ref[k]) errs.push(field.required(`spec.parentRef.${k}`));
    else for (const m of isPathSegmentName(ref[k])) errs.push(field.invalid(`spec.parentRef.${k}`, ref[k], m));
  }
  if (ref.namespace) for (const m of isPathSegmentName(ref.namespace)) errs.push(field.invalid('spec.parentRef.namespace', ref.namespace, m));
  return errs;
}

/** kubectl's PARENTREF cell: `services/default/kubernetes`, group-qualified when the parent has a group. */
function parentRefCell(ref: Obj | undefined): string {
  if (!ref) return '<none>';
  const gr = (ref.group ? `${ref.resource}.${ref.group}` : ref.resource ?? '').toLowerCase();
  return `${gr}${ref.namespace ? `/${ref.namespace}` : ''}/${ref.name}`;
}

/**
 * kube's IPAddress repair, done at once: an address a Service still holds is recorded again when its
 * IPAddress is deleted, so the allocator never hands it out twice.
 */
async function repair(obj: KubeObject, ctx: StrategyContext): Promise<void> {
  const ref = (obj.spec as Obj | undefined)?.parentRef;
  const services = ctx.types.lookup('', 'v1', 'services');
  if (!services || !ref || ref.group || ref.resource !== 'services' || !ref.namespace || !ref.name) return;
  let svc: KubeObject;
  try {
    svc = await ctx.store.get(services, ref.namespace, ref.name);
  } catch (e) {
    if (e instanceof ApiError && e.code === 404) return;
    throw e;
  }
  const ip = obj.metadata.name!;
  if (!((svc.spec as Obj | undefined)?.clusterIPs ?? []).includes(ip)) return;
  try {
    await ctx.services.allocateClusterIP(ip, false, { namespace: ref.namespace, name: ref.name });
  } catch (e) {
    // Recorded again already (another instance repaired it first).
    if (!(e instanceof AllocationError)) throw e;
  }
}

export const ipaddresses = defineResource({
  group: 'networking.k8s.io', version: 'v1', kind: 'IPAddress', resource: 'ipaddresses', namespaced: false, shortNames: ['ip'],
  // The name is the address itself, in canonical form.
  nameRule: 'ip-address',
  strategy: {
    defaults(obj) {
      // group is omitempty in Go: the core group of Services reads back as no group at all.
      const ref = (obj.spec as Obj | undefined)?.parentRef;
      if (ref?.group === '') delete ref.group;
    },
    validate: (obj) => validateParentRef((obj.spec as Obj | undefined)?.parentRef),
    validateUpdate(obj, old) {
      const ref = (obj.spec as Obj | undefined)?.parentRef;
      if (isDeepStrictEqual(ref, (old.spec as Obj | undefined)?.parentRef)) return [];
      // kube prints the internal Go struct of the new reference.
      const goRef = ref ? { Group: ref.group ?? '', Resource: ref.resource ?? '', Namespace: ref.namespace ?? '', Name: ref.name ?? '' } : null;
      return [field.invalid('spec.parentRef', goRef, 'field is immutable')];
    },
    afterDelete: repair,
    // kube declares two columns and fills three cells (AGE has no column): kubectl shows two.
    table: {
      columns: [
        column('Name', 'string', 'Name must be unique within a namespace.', 0, 'name'),
        column('ParentRef', 'string', 'ParentRef references the resource that an IPAddress is attached to. An IPAddress must reference a parent object.'),
      ],
      cells: (o, now) => [o.metadata.name, parentRefCell((o.spec as Obj | undefined)?.parentRef), age(o, now)],
    },
  },
});
