import { field, type FieldError } from '../../api/errors.js';
import { tableOf } from '../../table/format.js';
import { defineResource } from '../define.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

/** Three items, then `+ N more...`; `<unset>` for none (kube's listWithMoreString). */
function listWithMore(items: string[]): string {
  if (!items.length) return '<unset>';
  return items.length > 3 ? `${items.slice(0, 3).join(',')} + ${items.length - 3} more...` : items.join(',');
}

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
      ['Ports', 'string', 'The ports for this slice', 0, (o: Obj) => listWithMore(((o.ports ?? []) as Obj[]).map((p) => (p.port !== undefined ? String(p.port) : p.name !== undefined ? p.name : '*')))],
      ['Endpoints', 'string', 'The addresses of the endpoints in this slice', 0, (o: Obj) => listWithMore(((o.endpoints ?? []) as Obj[]).flatMap((e) => e.addresses ?? []))],
    ]),
  },
});
