import { field, type FieldError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { humanDuration } from '../../table/format.js';
import { isQualifiedName } from '../../validation/names.js';
import { column } from '../../table/types.js';
import { defineResource } from '../define.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const zero = (t: unknown) => !t || t === '0001-01-01T00:00:00Z';
const since = (t: string | undefined, now: number) => (zero(t) ? '<unknown>' : humanDuration(now - Date.parse(t!)));

/**
 * kube's event validation, on the core/v1 shape. `strict` is events.k8s.io/v1 (eventTime, reporting
 * fields and no deprecated fields); core/v1 keeps the legacy rules for old clients.
 */
export function validateEvent(e: Obj, strict: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ns = e.metadata?.namespace ?? '';
  const io = e.involvedObject ?? {};
  const controllerField = strict ? 'reportingController' : 'reportingComponent';
  if (zero(e.eventTime)) {
    if (!io.namespace ? ns !== '' && ns !== 'default' : ns !== io.namespace) {
      errs.push(field.invalid('involvedObject.namespace', io.namespace ?? '', 'does not match event.namespace'));
    }
  } else {
    if (!io.namespace && ns !== 'default' && ns !== 'kube-system') errs.push(field.invalid('involvedObject.namespace', io.namespace ?? '', 'does not match event.namespace'));
    if (!e.reportingComponent) errs.push(field.required(controllerField));
    else for (const m of isQualifiedName(e.reportingComponent)) errs.push(field.invalid(controllerField, e.reportingComponent, m));
    if (!e.reportingInstance) errs.push(field.required('reportingInstance'));
    else if (e.reportingInstance.length > 128) errs.push(field.invalid('reportingInstance', '', 'can have at most 128 characters'));
    if (!e.action) errs.push(field.required('action'));
    else if (e.action.length > 128) errs.push(field.invalid('action', '', 'can have at most 128 characters'));
    if (!e.reason) errs.push(field.required('reason'));
    else if (e.reason.length > 128) errs.push(field.invalid('reason', '', 'can have at most 128 characters'));
    if ((e.message ?? '').length > 1024) errs.push(field.invalid('message', '', 'can have at most 1024 characters'));
  }
  if (!strict) return errs;
  if (e.series) {
    if (!(e.series.count >= 2)) errs.push(field.invalid('series.count', '', 'should be at least 2'));
    if (zero(e.series.lastObservedTime)) errs.push(field.required('series.lastObservedTime'));
  }
  if (zero(e.eventTime)) errs.push(field.required('eventTime'));
  if (e.type !== 'Normal' && e.type !== 'Warning') errs.push(field.invalid('type', '', `has invalid value: ${e.type ?? ''}`));
  if (!zero(e.firstTimestamp)) errs.push(field.invalid('deprecatedFirstTimestamp', '', 'needs to be unset'));
  if (!zero(e.lastTimestamp)) errs.push(field.invalid('deprecatedLastTimestamp', '', 'needs to be unset'));
  if (e.count) errs.push(field.invalid('deprecatedCount', '', 'needs to be unset'));
  if (e.source?.component || e.source?.host) errs.push(field.invalid('deprecatedSource', '', 'needs to be unset'));
  return errs;
}

/** kube's event printer: the same table for core/v1 and events.k8s.io/v1 (cells from the core/v1 shape). */
export const eventTable = {
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
  cells(obj: KubeObject, now: number): unknown[] {
    const e = obj as Obj;
    const io = e.involvedObject ?? {};
    const first = zero(e.firstTimestamp) ? since(e.eventTime, now) : since(e.firstTimestamp, now);
    let last = zero(e.lastTimestamp) ? first : since(e.lastTimestamp, now);
    let count = e.count ?? 0;
    if (e.series) {
      last = since(e.series.lastObservedTime, now);
      count = e.series.count ?? 0;
    } else if (!count) count = 1;
    const component = e.source?.component || e.reportingComponent || '';
    const instance = e.source?.host || e.reportingInstance || '';
    const target = io.name ? `${String(io.kind ?? '').toLowerCase()}/${io.name}` : String(io.kind ?? '').toLowerCase();
    return [last, e.type ?? '', e.reason ?? '', target, io.fieldPath ?? '', instance ? `${component}, ${instance}` : component,
      String(e.message ?? '').trim(), first, count, obj.metadata.name];
  },
};

export const events = defineResource({
  group: '', version: 'v1', kind: 'Event', resource: 'events', namespaced: true, shortNames: ['ev'],
  strategy: {
    garbageCollectionPolicy: 'Unsupported',
    validate: (obj) => validateEvent(obj as Obj, false),
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
    table: eventTable,
  },
});
