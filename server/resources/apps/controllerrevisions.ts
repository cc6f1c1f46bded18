import { tableOf } from '../../table/format.js';
import { defineResource } from '../define.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

export const controllerrevisions = defineResource({
  group: 'apps', version: 'v1', kind: 'ControllerRevision', resource: 'controllerrevisions', namespaced: true,
  strategy: {
    table: tableOf([
      ['Controller', 'string', 'Controller of the object', 0, (o: Obj) => {
        const owner = (o.metadata?.ownerReferences ?? []).find((r: Obj) => r.controller) as Obj | undefined;
        if (!owner) return '<none>';
        const group = String(owner.apiVersion ?? '').includes('/') ? `.${String(owner.apiVersion).split('/')[0]}` : '';
        return `${String(owner.kind).toLowerCase()}${group}/${owner.name}`;
      }],
      ['Revision', 'string', 'Revision indicates the revision of the state represented by Data.', 0, (o: Obj) => o.revision ?? 0],
    ]),
  },
});
