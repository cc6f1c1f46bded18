import { isDeepStrictEqual } from 'node:util';
import { field, type FieldError } from '../../api/errors.js';
import { tableOf } from '../../table/format.js';
import { isDNS1123Subdomain, isQualifiedName } from '../../validation/names.js';
import { defineResource } from '../define.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

function validateDrivers(drivers: Obj[]): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  for (const [i, d] of drivers.entries()) {
    const p = `spec.drivers[${i}]`;
    const name = d.name ?? '';
    for (const m of isDNS1123Subdomain(name)) errs.push(field.invalid(`${p}.name`, name, m));
    if (!d.nodeID) errs.push(field.required(`${p}.nodeID`));
    else if (d.nodeID.length > 256) errs.push(field.invalid(`${p}.nodeID`, d.nodeID, 'must be 256 characters or less'));
    const count = d.allocatable?.count;
    if (count !== undefined && count < 0) errs.push(field.invalid(`${p}.allocatable.count`, count, 'must be greater than or equal to 0'));
    if (names.has(name)) errs.push(field.duplicate(`${p}.name`, name));
    names.add(name);
    // kube reports topology key problems on the driver itself, not on topologyKeys[j].
    const keys = new Set<string>();
    for (const key of (d.topologyKeys ?? []) as string[]) {
      if (!key) errs.push(field.required(p));
      if (keys.has(key)) errs.push(field.duplicate(p, key));
      keys.add(key);
      for (const m of isQualifiedName(key)) errs.push(field.invalid(p, key, m));
    }
  }
  return errs;
}

export const csinodes = defineResource({
  group: 'storage.k8s.io', version: 'v1', kind: 'CSINode', resource: 'csinodes', namespaced: false,
  strategy: {
    defaults(obj) {
      // topologyKeys has no omitempty in Go: kube writes null for a driver without any.
      for (const d of ((obj.spec as Obj | undefined)?.drivers ?? []) as Obj[]) if (d.topologyKeys === undefined) d.topologyKeys = null;
    },
    validate: (obj) => validateDrivers(((obj.spec as Obj | undefined)?.drivers ?? []) as Obj[]),
    validateUpdate(obj, old) {
      // A registered driver may only change its allocatable count (MutableCSINodeAllocatableCount).
      const errs: FieldError[] = [];
      const strip = ({ allocatable: _, ...rest }: Obj) => rest;
      for (const before of ((old.spec as Obj | undefined)?.drivers ?? []) as Obj[]) {
        for (const now of ((obj.spec as Obj | undefined)?.drivers ?? []) as Obj[]) {
          if (now.name !== before.name || isDeepStrictEqual(strip(now), strip(before))) continue;
          // kube prints the internal Go struct of the new driver.
          const goDriver = { Name: now.name, NodeID: now.nodeID ?? '', TopologyKeys: now.topologyKeys ?? null, Allocatable: now.allocatable ? { Count: now.allocatable.count ?? null } : null };
          errs.push(field.invalid('spec.drivers', goDriver, 'field is immutable'));
        }
      }
      return errs;
    },
    table: tableOf([['Drivers', 'integer', 'Drivers indicates the number of CSI drivers registered on the node', 0, (o: Obj) => (o.spec?.drivers ?? []).length]]),
  },
});
