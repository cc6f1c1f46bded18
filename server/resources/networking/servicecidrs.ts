import { field, type FieldError } from '../../api/errors.js';
import { tableOf } from '../../table/format.js';
import { defineResource } from '../define.js';
import { statusSplit } from '../status.js';
import { cidrProblems, ipFamily } from '../../validation/ip.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const immutable = 'field is immutable';

function validateCIDRs(spec: Obj): FieldError[] {
  const cidrs: string[] = spec.cidrs ?? [];
  if (!cidrs.length) return [field.required('spec.cidrs', 'at least one CIDR required')];
  // kube prints the Go struct here, field name capitalised.
  if (cidrs.length > 2) return [field.invalid('spec.cidrs', { CIDRs: cidrs }, 'may only hold up to 2 values')];
  const errs: FieldError[] = [];
  for (const [i, c] of cidrs.entries()) for (const m of cidrProblems(c)) errs.push(field.invalid(`spec.cidrs[${i}]`, c, m));
  if (cidrs.length === 2 && ipFamily(cidrs[0]) && ipFamily(cidrs[0]) === ipFamily(cidrs[1])) {
    errs.push(field.invalid('spec.cidrs', cidrs, 'may specify no more than one IP for each IP family, i.e 192.168.0.0/24 and 2001:db8::/64'));
  }
  return errs;
}

export const servicecidrs = defineResource({
  group: 'networking.k8s.io', version: 'v1', kind: 'ServiceCIDR', resource: 'servicecidrs', namespaced: false,
  subresources: { status: true },
  strategy: {
    ...statusSplit(),
    validate: (obj) => validateCIDRs((obj.spec ?? {}) as Obj),
    validateUpdate(obj, old) {
      const now: string[] = (obj.spec as Obj | undefined)?.cidrs ?? [];
      const before: string[] = (old.spec as Obj | undefined)?.cidrs ?? [];
      // The one change allowed: a single-stack range gains its second family.
      if (now.length === before.length) return before.flatMap((c, i) => (c === now[i] ? [] : [field.invalid(`spec.cidrs[${i}]`, now[i], immutable)]));
      if (before.length === 1 && now.length === 2) return now[0] === before[0] ? [] : [field.invalid('spec.cidrs[0]', now[0], immutable)];
      return [field.invalid('spec.cidrs', now, immutable)];
    },
    table: tableOf([['CIDRs', 'string', 'CIDRs defines the IP blocks in CIDR notation (e.g. "192.168.0.0/24" or "2001:db8::/64") from which to assign service cluster IPs. Max of two CIDRs is allowed, one of each IP family. This field is immutable.', 0, (o: Obj) => (o.spec?.cidrs ?? []).join(',')]]),
  },
});
