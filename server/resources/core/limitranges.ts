import { column } from '../../table/types.js';
import { defineResource } from '../define.js';

type Item = { type?: string; max?: Record<string, unknown>; min?: Record<string, unknown>; default?: Record<string, unknown>; defaultRequest?: Record<string, unknown> };

export const limitranges = defineResource({
  group: '', version: 'v1', kind: 'LimitRange', resource: 'limitranges', namespaced: true, shortNames: ['limits'],
  strategy: {
    // SetDefaults_LimitRangeItem: a Container item's default limit falls back to max, its default request to the default limit, then to min.
    defaults(obj) {
      for (const item of ((obj.spec as { limits?: Item[] } | undefined)?.limits ?? [])) {
        if (item.type !== 'Container') continue;
        const def = (item.default ??= {});
        const req = (item.defaultRequest ??= {});
        for (const [k, v] of Object.entries(item.max ?? {})) if (!Object.hasOwn(def, k)) def[k] = v;
        for (const [k, v] of Object.entries(def)) if (!Object.hasOwn(req, k)) req[k] = v;
        for (const [k, v] of Object.entries(item.min ?? {})) if (!Object.hasOwn(req, k)) req[k] = v;
        // omitempty: an empty map is not written
        if (!Object.keys(def).length) delete item.default;
        if (!Object.keys(req).length) delete item.defaultRequest;
      }
    },
    table: {
      columns: [
        column('Name', 'string', 'Name must be unique within a namespace.', 0, 'name'),
        column('Created At', 'date', 'CreationTimestamp is a timestamp representing the server time when this object was created.'),
      ],
      cells: (o) => [o.metadata.name, o.metadata.creationTimestamp],
    },
  },
});
