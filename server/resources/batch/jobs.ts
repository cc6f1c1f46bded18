import { field, type FieldError } from '../../api/errors.js';
import { humanDuration, tableOf } from '../../table/format.js';
import { containerCells, formatLabelSelector } from '../core/pod-spec.js';
import { defineResource } from '../define.js';
import { defaultTemplate, validateWorkload } from '../apps/workload.js';
import { statusSplit } from '../status.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

/** The Job's default selector and template labels, keyed by its uid, as kube-apiserver generates them. */
function generateSelector(job: Obj): void {
  const spec = (job.spec ??= {});
  if (spec.manualSelector) return;
  const uid = job.metadata.uid;
  const name = job.metadata.name;
  spec.template ??= {};
  spec.template.metadata ??= {};
  spec.template.metadata.labels = {
    ...(spec.template.metadata.labels ?? {}),
    'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': name, 'controller-uid': uid, 'job-name': name,
  };
  spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } };
}

export function jobDefaults(spec: Obj): void {
  if (spec.completions === undefined && spec.parallelism === undefined) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  spec.parallelism ??= 1;
  spec.backoffLimit ??= spec.backoffLimitPerIndex !== undefined ? 2147483647 : 6;
  spec.completionMode ??= 'NonIndexed';
  spec.suspend ??= false;
  spec.manualSelector ??= undefined;
  if (spec.manualSelector === undefined) delete spec.manualSelector;
  spec.podReplacementPolicy ??= spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
}

/** The STATUS cell, in the order kube's printer checks the conditions. */
function jobStatus(o: Obj): string {
  const cond = (type: string) => (o.status?.conditions ?? []).find((c: Obj) => c.type === type)?.status === 'True';
  if (cond('Complete')) return 'Complete';
  if (cond('Failed')) return 'Failed';
  if (o.metadata?.deletionTimestamp) return 'Terminating';
  if (cond('Suspended')) return 'Suspended';
  if (cond('FailureTarget')) return 'FailureTarget';
  return 'Running';
}

function jobCompletions(o: Obj): string {
  const succeeded = o.status?.succeeded ?? 0;
  if (o.spec?.completions !== undefined && o.spec.completions !== null) return `${succeeded}/${o.spec.completions}`;
  const parallelism = o.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

export const jobs = defineResource({
  group: 'batch', version: 'v1', kind: 'Job', resource: 'jobs', namespaced: true, categories: ['all'],
  subresources: { status: true },
  strategy: {
    // batch/v1 orphans a Job's pods when a DELETE names no propagation, for compatibility (kube's default).
    garbageCollectionPolicy: 'OrphanDependents',
    trackGeneration: true,
    prepareForCreate(obj) {
      obj.status = {};
      generateSelector(obj as Obj);
    },
    prepareForUpdate: statusSplit().prepareForUpdate,
    defaults(obj) {
      jobDefaults((obj.spec ??= {}) as Obj);
      defaultTemplate(obj, { restartPolicy: false });
      const t = ((obj.spec as Obj).template ??= {});
      t.spec ??= {};
    },
    validate(obj): FieldError[] {
      const spec = (obj.spec ?? {}) as Obj;
      const errs = validateWorkload(obj, { replicas: false, restartPolicies: ['OnFailure', 'Never'] });
      for (const k of ['parallelism', 'completions', 'backoffLimit', 'activeDeadlineSeconds', 'ttlSecondsAfterFinished']) {
        if (spec[k] !== undefined && spec[k] < 0) errs.push(field.invalid(`spec.${k}`, spec[k], 'must be greater than or equal to 0'));
      }
      if (!['NonIndexed', 'Indexed'].includes(spec.completionMode)) errs.push(field.notSupported('spec.completionMode', spec.completionMode, ['NonIndexed', 'Indexed']));
      if (spec.template?.spec && !spec.template.spec.restartPolicy) {
        errs.push(field.required('spec.template.spec.restartPolicy', 'valid values: "OnFailure", "Never"'));
      }
      return errs;
    },
    validateUpdate(obj, old) {
      const errs: FieldError[] = [];
      const a = (obj.spec ?? {}) as Obj;
      const b = (old.spec ?? {}) as Obj;
      if (JSON.stringify(a.selector) !== JSON.stringify(b.selector)) errs.push(field.invalid('spec.selector', a.selector, 'field is immutable'));
      if (JSON.stringify(a.template) !== JSON.stringify(b.template) && !b.suspend) errs.push(field.invalid('spec.template', a.template, 'field is immutable'));
      if (a.completions !== b.completions && a.completionMode !== 'Indexed') errs.push(field.invalid('spec.completions', a.completions, 'field is immutable'));
      return errs;
    },
    table: tableOf([
      ['Status', 'string', 'Status of the job.', 0, jobStatus],
      ['Completions', 'string', 'The desired number of successfully finished pods the job should be run with.', 0, jobCompletions],
      ['Duration', 'string', 'Time required to complete the job.', 0, (o: Obj, now: number) => {
        if (!o.status?.startTime) return '';
        const end = o.status.completionTime ? Date.parse(o.status.completionTime) : now;
        return humanDuration(end - Date.parse(o.status.startTime));
      }],
      ['Containers', 'string', 'Names of each container in the template.', 1, (o: Obj) => containerCells(o.spec?.template?.spec)[0]],
      ['Images', 'string', 'Images referenced by each container in the template.', 1, (o: Obj) => containerCells(o.spec?.template?.spec)[1]],
      ['Selector', 'string', 'A label query over pods that should match the pod count.', 1, (o: Obj) => formatLabelSelector(o.spec?.selector)],
    ]),
  },
});
