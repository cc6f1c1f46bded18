import { field, type FieldError } from '../../api/errors.js';
import { tableOf } from '../../table/format.js';
import { defineResource } from '../define.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

export const leases = defineResource({
  group: 'coordination.k8s.io', version: 'v1', kind: 'Lease', resource: 'leases', namespaced: true,
  strategy: {
    // Leader election may PUT a lease that does not exist yet, as kube-apiserver allows.
    allowCreateOnUpdate: true,
    validate(obj): FieldError[] {
      const spec = (obj.spec ?? {}) as Obj;
      const errs: FieldError[] = [];
      if (spec.leaseDurationSeconds !== undefined && spec.leaseDurationSeconds <= 0) errs.push(field.invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
      if (spec.leaseTransitions !== undefined && spec.leaseTransitions < 0) errs.push(field.invalid('spec.leaseTransitions', spec.leaseTransitions, 'must be greater than or equal to 0'));
      return errs;
    },
    table: tableOf([['Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.', 0, (o: Obj) => o.spec?.holderIdentity ?? '']]),
  },
});
