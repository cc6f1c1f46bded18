import { field, type FieldError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { age, humanDuration } from '../../table/format.js';
import { column } from '../../table/types.js';
import { defineResource } from '../define.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

function lastSeen(e: Obj, now: number): string {
  const ts = e.series?.lastObservedTime ?? e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp;
  return ts ? humanDuration(now - Date.parse(ts)) : '<unknown>';
}

export const events = defineResource({
  group: '', version: 'v1', kind: 'Event', resource: 'events', namespaced: true, shortNames: ['ev'],
  strategy: {
    validate(obj): FieldError[] {
      const errs: FieldError[] = [];
      const io = (obj.involvedObject ?? {}) as Obj;
      if (io.namespace && obj.metadata.namespace && io.namespace !== obj.metadata.namespace) {
        errs.push(field.invalid('involvedObject.namespace', io.namespace, 'does not match event.namespace'));
      }
      if (obj.type && !['Normal', 'Warning'].includes(obj.type as string)) errs.push(field.notSupported('type', obj.type, ['Normal', 'Warning']));
      return errs;
    },
    selectableFields: {
      'involvedObject.kind': (o) => (o.involvedObject as Obj)?.kind ?? '',
      'involvedObject.namespace': (o) => (o.involvedObject as Obj)?.namespace ?? '',
      'involvedObject.name': (o) => (o.involvedObject as Obj)?.name ?? '',
      'involvedObject.uid': (o) => (o.involvedObject as Obj)?.uid ?? '',
      'involvedObject.apiVersion': (o) => (o.involvedObject as Obj)?.apiVersion ?? '',
      'involvedObject.resourceVersion': (o) => (o.involvedObject as Obj)?.resourceVersion ?? '',
      'involvedObject.fieldPath': (o) => (o.involvedObject as Obj)?.fieldPath ?? '',
      reason: (o) => (o.reason as string) ?? '',
      reportingComponent: (o) => (o.reportingComponent as string) ?? '',
      source: (o) => (o.source as Obj)?.component ?? (o.reportingComponent as string) ?? '',
      type: (o) => (o.type as string) ?? '',
    },
    table: {
      columns: [
        column('Last Seen', 'string', 'Time when last event occurrence observed.'),
        column('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future.'),
        column('Reason', 'string', 'This should be a short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
        column('Object', 'string', 'The object that this event is about.'),
        column('Subobject', 'string', 'The subobject that this event is about.', 1),
        column('Source', 'string', 'The component reporting this event.', 1),
        column('Message', 'string', 'A human-readable description of the status of this operation.'),
        column('First Seen', 'string', 'The time at which the event was first recorded.', 1),
        column('Count', 'string', 'The number of times this event has occurred.', 1),
        column('Name', 'string', 'Name must be unique within a namespace.', 1, 'name'),
      ],
      cells(obj: KubeObject, now: number) {
        const e = obj as Obj;
        const io = e.involvedObject ?? {};
        const source = e.source?.component ? `${e.source.component}${e.source.host ? `, ${e.source.host}` : ''}` : (e.reportingComponent || '');
        const first = e.firstTimestamp ?? e.eventTime;
        return [lastSeen(e, now), e.type ?? '', e.reason ?? '', `${String(io.kind ?? '').toLowerCase()}/${io.name ?? ''}`, io.fieldPath ?? '', source,
          String(e.message ?? '').trim(), first ? humanDuration(now - Date.parse(first)) : age(obj, now), String(e.series?.count ?? e.count ?? 1), obj.metadata.name];
      },
    },
  },
});
