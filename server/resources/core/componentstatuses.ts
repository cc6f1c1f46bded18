// ComponentStatus: computed on every read by probing the scheduler, the controller manager and etcd,
// never stored (server/endpoints/handlers/componentstatuses.ts serves it).
import { column } from '../../table/types.js';
import { defineResource } from '../define.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

/** kube's printComponentStatus: the Healthy condition's status, message and error. */
function healthCells(obj: Obj): [string, string, string] {
  const healthy = (obj.conditions ?? []).find((c: Obj) => c.type === 'Healthy');
  if (!healthy) return ['Unknown', '', ''];
  return [healthy.status === 'True' ? 'Healthy' : 'Unhealthy', healthy.message ?? '', healthy.error ?? ''];
}

export const componentstatuses = {
  ...defineResource({
    group: '', version: 'v1', kind: 'ComponentStatus', resource: 'componentstatuses', namespaced: false, shortNames: ['cs'],
    verbs: ['get', 'list'],
    strategy: {
      table: {
        columns: [
          column('Name', 'string', 'Name must be unique within a namespace.', 0, 'name'),
          column('Status', 'string', 'Status of the component conditions'),
          column('Message', 'string', 'Message of the component conditions'),
          column('Error', 'string', 'Error of the component conditions'),
        ],
        cells: (obj) => [obj.metadata.name, ...healthCells(obj)],
      },
    },
  }),
  virtual: true,
};
