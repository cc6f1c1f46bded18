// events.k8s.io/v1 Event: the same stored objects as core/v1 events (/registry/events, stored as v1),
// seen through kube's field renames; validation is the strict one for new-style events.
import { FieldError, field } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { defineResource } from '../define.js';
import { eventTable, events, validateEvent } from '../core/events.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

/** events.k8s.io/v1 name -> core/v1 name; the other fields share their names. */
const renames: Array<[string, string]> = [
  ['regarding', 'involvedObject'], ['note', 'message'], ['reportingController', 'reportingComponent'],
  ['deprecatedSource', 'source'], ['deprecatedFirstTimestamp', 'firstTimestamp'], ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
];

function rename(obj: KubeObject, pairs: Array<[string, string]>): KubeObject {
  const out: KubeObject = { ...obj };
  for (const [from, to] of pairs) {
    delete out[to];
    if (from in obj) out[to] = obj[from];
    delete out[from];
  }
  return out;
}

/** core/v1 shape -> events.k8s.io/v1 shape. */
export function fromCoreEvent(obj: KubeObject): KubeObject {
  const out = rename(obj, renames.map(([a, b]) => [b, a]));
  // An empty EventSource is Go's zero value: events.k8s.io/v1 leaves deprecatedSource out.
  const src = out.deprecatedSource as Obj | undefined;
  if (src && !src.component && !src.host) delete out.deprecatedSource;
  return out;
}

/** events.k8s.io/v1 shape -> core/v1 shape. */
export function toCoreEvent(obj: KubeObject): KubeObject {
  const out = rename(obj, renames);
  out.kind = 'Event';
  return out;
}

const immutable = ['involvedObject', 'reason', 'message', 'type', 'reportingComponent', 'reportingInstance', 'action', 'eventTime', 'related'];
const v1Name: Record<string, string> = Object.fromEntries(renames.map(([a, b]) => [b, a]));

export const eventsV1 = defineResource({
  group: 'events.k8s.io', version: 'v1', kind: 'Event', resource: 'events', namespaced: true, shortNames: ['ev'],
  storage: 'events', storageVersion: 'v1',
  conversion: { fromStorage: fromCoreEvent, toStorage: toCoreEvent },
  strategy: {
    garbageCollectionPolicy: 'Unsupported',
    validate: (obj) => validateEvent(toCoreEvent(obj) as Obj, true).map(renamePath),
    validateUpdate(obj, old): FieldError[] {
      const a = toCoreEvent(obj) as Obj;
      const b = toCoreEvent(old) as Obj;
      return immutable
        .filter((f) => JSON.stringify(a[f]) !== JSON.stringify(b[f]))
        .map((f) => field.invalid(v1Name[f] ?? f, obj[v1Name[f] ?? f] ?? '', 'field is immutable'));
    },
    // The core/v1 selectable fields under their events.k8s.io/v1 names (regarding.*, reportingController).
    selectableFields: Object.fromEntries(Object.entries(events.strategy.selectableFields ?? {})
      .filter(([k]) => k !== 'source')
      .map(([k, get]) => [k.replace(/^involvedObject\./, 'regarding.').replace(/^reportingComponent$/, 'reportingController'), (o: KubeObject) => get(toCoreEvent(o))])),
    table: { columns: eventTable.columns, cells: (obj, now) => eventTable.cells(toCoreEvent(obj), now) },
  },
});

/** Field paths in the version the client wrote: `note`, not `message`. */
function renamePath(e: FieldError): FieldError {
  const [head, ...rest] = e.field.split('.');
  const name = v1Name[head];
  return name ? new FieldError(e.type, [name, ...rest].join('.'), e.value, e.detail) : e;
}
