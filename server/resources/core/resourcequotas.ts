import { tableOf } from '../../table/format.js';
import { defineResource } from '../define.js';
import { statusSplit } from '../status.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

/** kubectl's REQUEST / LIMIT cells: `cpu: 0/1, pods: 0/10`. */
function usage(o: Obj, limits: boolean): string {
  const hard = (o.status?.hard ?? o.spec?.hard ?? {}) as Record<string, string>;
  const used = (o.status?.used ?? {}) as Record<string, string>;
  const keys = Object.keys(hard).filter((k) => (limits ? k.startsWith('limits.') : !k.startsWith('limits.'))).sort();
  return keys.map((k) => `${k}: ${used[k] ?? '0'}/${hard[k]}`).join(', ');
}

export const resourcequotas = defineResource({
  group: '', version: 'v1', kind: 'ResourceQuota', resource: 'resourcequotas', namespaced: true, shortNames: ['quota'],
  subresources: { status: true },
  strategy: {
    ...statusSplit(() => undefined),
    table: tableOf([
      ['Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.', 0, (o: Obj) => usage(o, false)],
      ['Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.', 0, (o: Obj) => usage(o, true)],
    ], { ageAt: 0 }),
  },
});
