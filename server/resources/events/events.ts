// events.k8s.io/v1 Event: the same stored objects as core/v1 events, seen through field renames.
import type { KubeObject } from '../../api/object.js';
import { tableOf } from '../../table/format.js';
import { defineResource } from '../define.js';

/** events.k8s.io/v1 name -> core/v1 name. */
const renames: Array<[string, string]> = [
  ['regarding', 'involvedObject'], ['note', 'message'], ['reportingController', 'reportingComponent'],
  ['deprecatedSource', 'source'], ['deprecatedFirstTimestamp', 'firstTimestamp'], ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
];

function rename(obj: KubeObject, pairs: Array<[string, string]>): KubeObject {
  const out: KubeObject = { ...obj };
  for (const [from, to] of pairs) {
    if (from in out) {
      out[to] = out[from];
      delete out[from];
    }
  }
  return out;
}

export const eventsV1 = defineResource({
  group: 'events.k8s.io', version: 'v1', kind: 'Event', resource: 'events', namespaced: true, shortNames: ['ev'],
  storage: 'events', storageVersion: 'v1',
  conversion: {
    fromStorage: (obj) => rename(obj, renames.map(([a, b]) => [b, a])),
    toStorage: (obj) => {
      const out = rename(obj, renames);
      out.kind = 'Event';
      return out;
    },
  },
  strategy: {
    table: tableOf([
      ['Reason', 'string', 'reason is why the action was taken.', 0, (o: { reason?: string }) => o.reason ?? ''],
      ['Object', 'string', 'regarding contains the object this Event is about.', 0, (o: { regarding?: { kind?: string; name?: string } }) => `${String(o.regarding?.kind ?? '').toLowerCase()}/${o.regarding?.name ?? ''}`],
      ['Note', 'string', 'note is a human-readable description of the status of this operation.', 0, (o: { note?: string }) => o.note ?? ''],
    ]),
  },
});
