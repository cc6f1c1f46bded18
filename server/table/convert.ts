// Turns objects into a meta.k8s.io/v1 Table for `kubectl get`.
import type { KubeObject } from '../api/object.js';
import type { TableDefinition } from './types.js';
import { column } from './types.js';

const defaultTable: TableDefinition = {
  columns: [
    column('Name', 'string', 'Name must be unique within a namespace.', 0, 'name'),
    column('Created At', 'date', 'CreationTimestamp is a timestamp representing the server time when this object was created.'),
  ],
  cells: (obj) => [obj.metadata.name, obj.metadata.creationTimestamp],
};

export interface TableOptions {
  /** includeObject=None|Metadata|Object; kubectl asks for Object by default. */
  includeObject: 'None' | 'Metadata' | 'Object';
  /** When listing, the list's metadata. */
  listMeta?: Record<string, unknown>;
}

export function toTable(objects: KubeObject[], def: TableDefinition | undefined, opts: TableOptions): Record<string, unknown> {
  const table = def ?? defaultTable;
  const now = Date.now();
  const rows = (table.sortRows ? [...objects].sort(table.sortRows) : objects).map((obj) => {
    const row: Record<string, unknown> = { cells: table.cells(obj, now) };
    if (opts.includeObject === 'Object') row.object = obj;
    else if (opts.includeObject === 'Metadata') {
      row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: obj.metadata };
    }
    return row;
  });
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: opts.listMeta ?? {},
    columnDefinitions: table.columns,
    rows,
  };
}
