import { column } from '../../table/types.js';
import { defineResource } from '../define.js';

export const limitranges = defineResource({
  group: '', version: 'v1', kind: 'LimitRange', resource: 'limitranges', namespaced: true, shortNames: ['limits'],
  strategy: {
    table: {
      columns: [
        column('Name', 'string', 'Name must be unique within a namespace.', 0, 'name'),
        column('Created At', 'date', 'CreationTimestamp is a timestamp representing the server time when this object was created.'),
      ],
      cells: (o) => [o.metadata.name, o.metadata.creationTimestamp],
    },
  },
});
