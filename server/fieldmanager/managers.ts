// metadata.managedFields as kube-apiserver keeps it: one entry per manager (per operation, subresource,
// and for Update per apiVersion), each with the fields it owns in FieldsV1, decoded into sets and
// written back sorted (Apply before Update, then by time, manager, apiVersion, subresource).
import type { KubeObject } from '../api/object.js';
import { type FieldSet, fromFieldsV1, isEmpty, toFieldsV1 } from './fieldset.js';

export type Operation = 'Apply' | 'Update';

export interface ManagerEntry {
  manager: string;
  operation: Operation;
  apiVersion: string;
  time?: string;
  subresource?: string;
  set: FieldSet;
}

/** Managers by kube's identifier (BuildManagerIdentifier: the entry without fields and time; Apply without apiVersion). */
export type Managers = Map<string, ManagerEntry>;

/** The identifier is the entry's JSON as Go writes it (empty fields omitted); conflicts sort by it. */
export function managerId(e: Pick<ManagerEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  const id: Record<string, string> = {};
  if (e.manager) id.manager = e.manager;
  id.operation = e.operation;
  if (e.operation !== 'Apply' && e.apiVersion) id.apiVersion = e.apiVersion;
  if (e.subresource) id.subresource = e.subresource;
  return JSON.stringify(id);
}

/** A manager as kube names it in conflicts (printManager): `"kubectl-edit" using v1` for an Update. */
export function printManager(e: Pick<ManagerEntry, 'manager' | 'operation' | 'apiVersion' | 'subresource'>): string {
  let out = JSON.stringify(e.manager);
  if (e.subresource) out += ` with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') out += ` using ${e.apiVersion}`;
  return out;
}

/** The entries of an object, or undefined when they do not decode (kube then falls back to the live object's). */
export function decodeManagedFields(entries: unknown): Managers | undefined {
  const out: Managers = new Map();
  if (entries === undefined || entries === null) return out;
  if (!Array.isArray(entries)) return undefined;
  try {
    for (const e of entries) {
      if (e === null || typeof e !== 'object') return undefined;
      const m = e as Record<string, unknown>;
      if (m.fieldsType !== 'FieldsV1') return undefined;
      if (m.operation !== 'Apply' && m.operation !== 'Update') return undefined;
      const entry: ManagerEntry = {
        manager: typeof m.manager === 'string' ? m.manager : '',
        operation: m.operation,
        apiVersion: typeof m.apiVersion === 'string' ? m.apiVersion : '',
        set: fromFieldsV1(m.fieldsV1 ?? {}),
      };
      if (typeof m.time === 'string') entry.time = m.time;
      if (typeof m.subresource === 'string' && m.subresource) entry.subresource = m.subresource;
      out.set(managerId(entry), entry);
    }
  } catch {
    return undefined;
  }
  return out;
}

/** kube's isResetManagedFields: `[]` or `[{}]` sent on purpose clears them. */
export function isReset(entries: unknown): boolean {
  if (!Array.isArray(entries)) return false;
  if (entries.length === 0) return true;
  return entries.length === 1 && entries[0] !== null && typeof entries[0] === 'object' && !Object.keys(entries[0] as object).length;
}

function seconds(t: string | undefined): number {
  return t ? Math.floor(Date.parse(t) / 1000) : 0;
}

export function encodeManagedFields(managers: Managers): Array<Record<string, unknown>> {
  const entries = [...managers.values()].filter((e) => !isEmpty(e.set));
  entries.sort((p, q) => {
    if (p.operation !== q.operation) return p.operation < q.operation ? -1 : 1;
    if (seconds(p.time) !== seconds(q.time)) return seconds(p.time) - seconds(q.time);
    if (p.manager !== q.manager) return p.manager < q.manager ? -1 : 1;
    if (p.apiVersion !== q.apiVersion) return p.apiVersion < q.apiVersion ? -1 : 1;
    return (p.subresource ?? '') < (q.subresource ?? '') ? -1 : (p.subresource ?? '') > (q.subresource ?? '') ? 1 : 0;
  });
  // Field order of metav1.ManagedFieldsEntry, as kube serializes it.
  return entries.map((e) => {
    const out: Record<string, unknown> = { manager: e.manager, operation: e.operation, apiVersion: e.apiVersion };
    if (e.time) out.time = e.time;
    out.fieldsType = 'FieldsV1';
    out.fieldsV1 = toFieldsV1(e.set);
    if (e.subresource) out.subresource = e.subresource;
    return out;
  });
}

/** Writes the managers into the object, or drops the field when there are none. */
export function setManagedFields(obj: KubeObject, managers: Managers): void {
  const encoded = encodeManagedFields(managers);
  if (encoded.length) obj.metadata.managedFields = encoded;
  else delete obj.metadata.managedFields;
}
