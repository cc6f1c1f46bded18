import { field, type FieldError } from '../../api/errors.js';
import { tableOf } from '../../table/format.js';
import { defineResource } from '../define.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

export const endpointslices = defineResource({
  group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice', resource: 'endpointslices', namespaced: true,
  strategy: {
    trackGeneration: true,
    defaults(obj) {
      for (const p of (obj.ports ?? []) as Obj[]) {
        p.protocol ??= 'TCP';
        p.name ??= '';
      }
    },
    validate(obj): FieldError[] {
      const errs: FieldError[] = [];
      if (!['IPv4', 'IPv6', 'FQDN'].includes(obj.addressType as string)) errs.push(field.notSupported('addressType', obj.addressType ?? '', ['FQDN', 'IPv4', 'IPv6']));
      for (const [i, e] of ((obj.endpoints ?? []) as Obj[]).entries()) {
        if (!(e.addresses ?? []).length) errs.push(field.required(`endpoints[${i}].addresses`, 'must contain at least 1 address'));
      }
      return errs;
    },
    selectableFields: { addressType: (o) => (o.addressType as string) ?? '' },
    table: tableOf([
      ['AddressType', 'string', 'The IP protocol for this slice', 0, (o: Obj) => o.addressType ?? ''],
      ['Ports', 'string', 'The ports for this slice', 0, (o: Obj) => ((o.ports ?? []).length ? (o.ports as Obj[]).map((p) => String(p.port ?? '')).join(',') : '<unset>')],
      ['Endpoints', 'string', 'The addresses of the endpoints in this slice', 0, (o: Obj) => {
        const all: string[] = (o.endpoints ?? []).flatMap((e: Obj) => e.addresses ?? []);
        if (!all.length) return '<unset>';
        return all.length > 3 ? `${all.slice(0, 3).join(',')} + ${all.length - 3} more...` : all.join(',');
      }],
    ]),
  },
});
