// Server-side apply and field ownership (k8s.io/apimachinery's managedfields with
// structured-merge-diff's Updater): every write records who owns which fields in
// metadata.managedFields. An Update takes the fields it changed from everyone else; an Apply merges
// the configuration into the live object, is refused with 409 when it changes a field another
// manager owns (unless forced, which takes the field), and removes the fields its manager applied
// before and no longer applies, when no one else owns them.
import { ApiError } from '../api/errors.js';
import { type KubeObject, setOwn } from '../api/object.js';
import type { ResourceType } from '../registry/types.js';
import { schemaFor } from '../schema/navigate.js';
import { type FieldSet, child, difference, emptySet, fieldElement, insert, intersection, isEmpty, paths, pathString, union } from './fieldset.js';
import { type ManagerEntry, type Managers, decodeManagedFields, isReset, managerId, printManager, setManagedFields } from './managers.js';
import { compare, merge, removeItems, toFieldSet } from './typed.js';

export type FieldManagerType = Pick<ResourceType, 'group' | 'version' | 'definition' | 'schema' | 'subresources'>;

/**
 * kube's managerOrUserAgent: the fieldManager asked for, else the User-Agent up to its first `/`
 * (printable characters, at most 128 bytes); a request without one is "unknown", as kube records it.
 */
export function managerName(fieldManager: string | undefined, userAgent: string | undefined): string {
  if (fieldManager) return fieldManager;
  let out = '';
  for (const ch of (userAgent ?? '').split('/')[0]) {
    if (!/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) continue;
    if (Buffer.byteLength(out + ch) > 128) break;
    out += ch;
  }
  return out || 'unknown';
}

/** Fields no manager owns (kube's StripMetaManager): set by the server, or identity. */
const stripped = emptySet();
for (const p of [
  ['apiVersion'], ['kind'], ['metadata'],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map((f) => ['metadata', f]),
]) insert(stripped, p.map(fieldElement));

function strip(set: FieldSet, rt: FieldManagerType, subresource: string): FieldSet {
  const out = difference(set, stripped);
  // The main resource resets status when a status subresource serves it (kube's reset fields).
  if (rt.subresources?.status && !subresource) out.children.delete(fieldElement('status'));
  return out;
}

function apiVersionOf(rt: FieldManagerType, obj: KubeObject | undefined): string {
  return obj?.apiVersion ?? (rt.group ? `${rt.group}/${rt.version}` : rt.version);
}

function withoutManagedFields(obj: KubeObject | undefined): KubeObject | Record<string, never> {
  if (!obj) return {};
  const out = structuredClone(obj);
  if (out.metadata) delete out.metadata.managedFields;
  return out;
}

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

/**
 * The managers an update starts from (kube's decodeLiveOrNew): a subresource keeps the live ones;
 * `[]` or `[{}]` in the new object clears them; new ones that decode and are not empty replace them;
 * otherwise (absent, invalid) the live object's stay, so clients that do not know them cannot lose them.
 */
function startingManagers(live: KubeObject | undefined, obj: KubeObject, subresource: string): Managers {
  const fromLive = () => decodeManagedFields(live?.metadata?.managedFields) ?? new Map();
  if (subresource) return fromLive();
  const given = obj.metadata?.managedFields;
  if (isReset(given)) return new Map();
  const decoded = decodeManagedFields(given);
  if (!decoded || !decoded.size) return fromLive();
  return decoded;
}

/** An Update operation (create, update, non-apply patch): records `manager`'s changes in `obj` (in place). */
export function recordUpdate(rt: FieldManagerType, live: KubeObject | undefined, obj: KubeObject, manager: string, subresource = ''): void {
  const managers = startingManagers(live, obj, subresource);
  const schema = schemaFor(rt);
  const cmp = compare(withoutManagedFields(live), withoutManagedFields(obj), schema);
  const changed = union(cmp.modified, cmp.added);
  const entry: Omit<ManagerEntry, 'set'> = { manager, operation: 'Update', apiVersion: apiVersionOf(rt, obj), ...(subresource ? { subresource } : {}) };
  const id = managerId(entry);
  for (const [otherId, m] of managers) {
    if (otherId === id) continue;
    m.set = difference(difference(m.set, changed), cmp.removed);
  }
  const before = managers.get(id);
  const set = strip(difference(union(before?.set ?? emptySet(), changed), cmp.removed), rt, subresource);
  const changedOwnership = !before || JSON.stringify(paths(before.set)) !== JSON.stringify(paths(set));
  // kube's scale subresource converts managedFields between Scale and the parent, which loses the time.
  const time = subresource === 'scale' ? undefined : changedOwnership || !before?.time ? now() : before.time;
  managers.set(id, { ...entry, set, ...(time ? { time } : {}) });
  dropEmpty(managers);
  obj.metadata ??= {};
  setManagedFields(obj, managers);
}

/** One field another manager owns that an apply would change. */
export interface FieldConflict {
  /** The manager's identifier (managerId), and as kube prints it. */
  id: string;
  manager: string;
  path: string[];
}

/**
 * An Apply operation: the configuration merged into `live` (absent: the object is created from it),
 * with managedFields; throws kube's 409 on conflicts unless `force`.
 */
export function apply(rt: FieldManagerType, live: KubeObject | undefined, config: KubeObject, manager: string, force: boolean, subresource = ''): KubeObject {
  const schema = schemaFor(rt);
  const managers = decodeManagedFields(live?.metadata?.managedFields) ?? new Map<string, ManagerEntry>();
  const liveObj = withoutManagedFields(live);
  // An object nobody owns any field of (created before field tracking, or whose managedFields were
  // reset): its fields belong to "before-first-apply", so the first apply conflicts on values it changes.
  if (live && !managers.size) {
    const entry = { manager: 'before-first-apply', operation: 'Update' as const, apiVersion: apiVersionOf(rt, live) };
    managers.set(managerId(entry), { ...entry, set: strip(toFieldSet(liveObj, schema), rt, subresource), time: now() });
  }
  const merged = merge(liveObj, config, schema) as KubeObject;
  const cmp = compare(liveObj, merged, schema);
  const changed = union(cmp.modified, cmp.added);
  const entry: Omit<ManagerEntry, 'set'> = { manager, operation: 'Apply', apiVersion: apiVersionOf(rt, config), ...(subresource ? { subresource } : {}) };
  const id = managerId(entry);

  const conflicts: FieldConflict[] = [];
  const taken = new Map<string, FieldSet>();
  for (const [otherId, m] of managers) {
    if (otherId === id) continue;
    const clash = intersection(m.set, changed);
    if (isEmpty(clash)) continue;
    taken.set(otherId, clash);
    for (const p of paths(clash)) conflicts.push({ id: otherId, manager: printManager(m), path: p });
  }
  if (conflicts.length && !force) throw conflictError(conflicts);
  for (const [otherId, clash] of taken) managers.get(otherId)!.set = difference(managers.get(otherId)!.set, clash);
  for (const [otherId, m] of managers) if (otherId !== id) m.set = difference(m.set, cmp.removed);

  const previous = managers.get(id);
  const applied = strip(toFieldSet(config, schema), rt, subresource);
  managers.set(id, { ...entry, set: applied });
  let result = merged;
  if (previous) result = removeItems(merged, prunable(difference(previous.set, applied), managers), schema) as KubeObject;
  // The time says when the manager last changed the object: an apply that changes nothing keeps it
  // (and so writes nothing, as kube's no-op apply).
  const after = compare(liveObj, result, schema);
  const unchanged = live && isEmpty(after.added) && isEmpty(after.modified) && isEmpty(after.removed);
  const time = unchanged ? previous?.time : now();
  if (time) managers.get(id)!.time = time;
  dropEmpty(managers);
  result.metadata ??= {};
  setManagedFields(result, managers);
  if (live?.metadata) result.metadata = orderedLike(result.metadata, live.metadata);
  return result;
}

/** `meta` with the keys `like` has in `like`'s order (so an unchanged object serializes the same), then the rest. */
function orderedLike(meta: KubeObject['metadata'], like: KubeObject['metadata']): KubeObject['metadata'] {
  const out: KubeObject['metadata'] = {};
  for (const k of Object.keys(like)) if (Object.hasOwn(meta, k)) setOwn(out, k, meta[k]);
  for (const k of Object.keys(meta)) if (!Object.hasOwn(out, k)) setOwn(out, k, meta[k]);
  return out;
}

/** Of the fields a manager stopped applying, those no manager owns (at the field or below it). */
function prunable(stopped: FieldSet, managers: Managers): FieldSet {
  let owned = emptySet();
  for (const m of managers.values()) owned = union(owned, m.set);
  const out = emptySet();
  for (const p of paths(stopped)) {
    const node = child(owned, p);
    if (node && !isEmpty(node)) continue;
    insert(out, p);
  }
  return out;
}

function dropEmpty(managers: Managers): void {
  for (const [id, m] of managers) if (isEmpty(m.set)) managers.delete(id);
}

/** kube's 409 for apply conflicts (managedfields' NewConflictError): a cause per field. */
export function conflictError(conflicts: FieldConflict[]): ApiError {
  const n = conflicts.length;
  let detail: string;
  if (n === 1) {
    detail = `conflict with ${conflicts[0].manager}: ${pathString(conflicts[0].path)}`;
  } else {
    // Grouped per manager, managers in the order of their identifiers, as kube's getConflictMessage.
    const byManager = new Map<string, FieldConflict[]>();
    for (const c of conflicts) byManager.set(c.id, [...(byManager.get(c.id) ?? []), c]);
    const lines: string[] = [];
    for (const id of [...byManager.keys()].sort()) {
      const group = byManager.get(id)!;
      lines.push(`conflicts with ${group[0].manager}:`);
      for (const c of group) lines.push(`- ${pathString(c.path)}`);
    }
    detail = lines.join('\n');
  }
  const message = `Apply failed with ${n} conflict${n === 1 ? '' : 's'}: ${detail}`;
  return new ApiError(409, 'Conflict', message, {
    causes: conflicts.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${c.manager}`, field: pathString(c.path) })),
  });
}
