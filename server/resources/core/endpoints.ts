import { field, type FieldError } from '../../api/errors.js';
import { tableOf } from '../../table/format.js';
import { defineResource } from '../define.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

export const endpoints = defineResource({
  group: '', version: 'v1', kind: 'Endpoints', resource: 'endpoints', namespaced: true, shortNames: ['ep'],
  storage: 'services/endpoints',
  strategy: {
    allowCreateOnUpdate: true,
    defaults(obj) {
      for (const s of (obj.subsets ?? []) as Obj[]) for (const p of s.ports ?? []) p.protocol ??= 'TCP';
    },
    validate(obj): FieldError[] {
      const errs: FieldError[] = [];
      for (const [i, s] of ((obj.subsets ?? []) as Obj[]).entries()) {
        for (const [j, a] of [...(s.addresses ?? [])].entries()) {
          if (!a.ip) errs.push(field.required(`subsets[${i}].addresses[${j}].ip`));
        }
        for (const [j, p] of (s.ports ?? []).entries()) {
          if (!(p.port >= 1 && p.port <= 65535)) errs.push(field.invalid(`subsets[${i}].ports[${j}].port`, p.port, 'must be between 1 and 65535, inclusive'));
        }
      }
      return errs;
    },
    table: tableOf([['Endpoints', 'string', 'Endpoints is the list of endpoints.', 0, (o: Obj) => formatEndpoints(o.subsets)]]),
  },
});

/** kubectl's ENDPOINTS cell: ip:port per port and address, at most three, then "+ N more...". */
export function formatEndpoints(subsets: Obj[] | undefined): string {
  if (!subsets?.length) return '<none>';
  const list: string[] = [];
  let count = 0;
  for (const s of subsets) {
    const addresses: Obj[] = s.addresses ?? [];
    const ports: Obj[] = s.ports ?? [];
    // Headless services may have no ports: the addresses alone.
    const pairs = ports.length ? ports.flatMap((p) => addresses.map((a) => `${a.ip}:${p.port}`)) : addresses.map((a) => String(a.ip));
    count += pairs.length;
    for (const x of pairs) if (list.length < 3) list.push(x);
  }
  if (count > 3) return `${list.join(',')} + ${count - 3} more...`;
  return list.join(',');
}
