// meta.k8s.io/v1 Table pieces, and how a resource says what its `kubectl get` columns are.
import type { KubeObject } from '../api/object.js';

export interface TableColumnDefinition {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  /** 0 for the default view, 1 for columns only `-o wide` shows. */
  priority: number;
}

export interface TableDefinition {
  columns: TableColumnDefinition[];
  /** One cell per column, in column order. The first column is the name. */
  cells(obj: KubeObject, now: number): unknown[];
  /** The order of a list's rows, where kube's printer sorts them (FlowSchemas by matching precedence). */
  sortRows?(a: KubeObject, b: KubeObject): number;
}

/** Shorthand for a column definition. */
export function column(name: string, type: TableColumnDefinition['type'], description: string, priority = 0, format = ''): TableColumnDefinition {
  return { name, type, format, description, priority };
}
