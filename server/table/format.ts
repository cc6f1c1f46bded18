// Cell formatting as kubectl users know it (AGE as "3m20s", <none> for empties), and a compact way to declare columns.
import type { KubeObject } from '../api/object.js';
import { column, type TableColumnDefinition, type TableDefinition } from './types.js';

/** k8s.io/apimachinery duration.HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60 * 2) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 60 * 3) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const dy = Math.floor(hours / 24) % 365;
    return dy === 0 ? `${Math.floor(hours / 24 / 365)}y` : `${Math.floor(hours / 24 / 365)}y${dy}d`;
  }
  return `${Math.floor(hours / 24 / 365)}y`;
}

export function age(obj: KubeObject, now: number): string {
  const ts = obj.metadata.creationTimestamp;
  if (!ts) return '<unknown>';
  return humanDuration(now - Date.parse(ts));
}

/** "<none>" for an empty value, as kubectl prints it. */
export function orNone(v: string | undefined | null): string {
  return v ? v : '<none>';
}

/** A column declared as [name, type, description, priority, cell]; the cell gets the object as `any`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ColumnSpec = [string, TableColumnDefinition['type'], string, number, (obj: any, now: number) => unknown];

/** NAME first, the given columns, AGE where kube-apiserver puts it (before the wide-only columns). */
export function tableOf(columns: ColumnSpec[], opts: { ageAt?: number } = {}): TableDefinition {
  const ageColumn: ColumnSpec = ['Age', 'string', 'CreationTimestamp is a timestamp representing the server time when this object was created.', 0, (o, now) => age(o, now)];
  const all = [...columns];
  const at = opts.ageAt ?? all.filter((c) => c[3] === 0).length;
  all.splice(at, 0, ageColumn);
  return {
    columns: [column('Name', 'string', 'Name must be unique within a namespace.', 0, 'name'), ...all.map(([name, type, description, priority]) => column(name, type, description, priority))],
    cells: (obj, now) => [obj.metadata.name, ...all.map((c) => c[4](obj, now))],
  };
}
