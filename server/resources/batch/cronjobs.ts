import { field, type FieldError } from '../../api/errors.js';
import { humanDuration, tableOf } from '../../table/format.js';
import { containerCells, defaultPodSpec, formatLabelSelector, validatePodSpec } from '../core/pod-spec.js';
import { defineResource } from '../define.js';
import { statusSplit } from '../status.js';
import { cronError } from './cron.js';
import { jobDefaults } from './jobs.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

/** time.LoadLocation's answer, from the zone database Node carries. */
function knownTimeZone(tz: string): boolean {
  if (!tz || /\s/.test(tz)) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export const cronjobs = defineResource({
  group: 'batch', version: 'v1', kind: 'CronJob', resource: 'cronjobs', namespaced: true, shortNames: ['cj'], categories: ['all'],
  subresources: { status: true },
  strategy: {
    trackGeneration: true,
    ...statusSplit(),
    defaults(obj) {
      const spec = (obj.spec ??= {}) as Obj;
      spec.concurrencyPolicy ??= 'Allow';
      spec.suspend ??= false;
      spec.successfulJobsHistoryLimit ??= 3;
      spec.failedJobsHistoryLimit ??= 1;
      const jt = (spec.jobTemplate ??= {});
      jt.spec ??= {};
      jobDefaults(jt.spec);
      defaultPodSpec(jt.spec.template?.spec, { restartPolicy: false });
    },
    validate(obj): FieldError[] {
      const spec = (obj.spec ?? {}) as Obj;
      const errs: FieldError[] = [];
      if (!spec.schedule) errs.push(field.required('spec.schedule'));
      else {
        if (/^(CRON_TZ|TZ)=/.test(spec.schedule)) errs.push(field.invalid('spec.schedule', spec.schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
        else {
          const why = cronError(spec.schedule);
          if (why) errs.push(field.invalid('spec.schedule', spec.schedule, why));
        }
      }
      if (spec.timeZone !== undefined && !knownTimeZone(spec.timeZone)) errs.push(field.invalid('spec.timeZone', spec.timeZone, `unknown time zone ${spec.timeZone}`));
      if (!['Allow', 'Forbid', 'Replace'].includes(spec.concurrencyPolicy)) errs.push(field.notSupported('spec.concurrencyPolicy', spec.concurrencyPolicy, ['Allow', 'Forbid', 'Replace']));
      if ((obj.metadata.name ?? '').length > 52) errs.push(field.invalid('metadata.name', obj.metadata.name, 'must be no more than 52 characters'));
      const tpl = spec.jobTemplate?.spec?.template;
      if (!tpl) errs.push(field.required('spec.jobTemplate.spec.template'));
      else {
        errs.push(...validatePodSpec(tpl.spec, 'spec.jobTemplate.spec.template.spec', ['OnFailure', 'Never']));
        if (tpl.spec && !tpl.spec.restartPolicy) errs.push(field.required('spec.jobTemplate.spec.template.spec.restartPolicy', 'valid values: "OnFailure", "Never"'));
      }
      return errs;
    },
    table: tableOf([
      ['Schedule', 'string', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.', 0, (o: Obj) => o.spec?.schedule ?? ''],
      ['Timezone', 'string', 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.', 0, (o: Obj) => o.spec?.timeZone ?? '<none>'],
      ['Suspend', 'boolean', 'This flag tells the controller to suspend subsequent executions.', 0, (o: Obj) => (o.spec?.suspend === undefined ? '<unset>' : o.spec.suspend ? 'True' : 'False')],
      ['Active', 'integer', 'A list of pointers to currently running jobs.', 0, (o: Obj) => (o.status?.active ?? []).length],
      ['Last Schedule', 'string', 'Information when was the last time the job was successfully scheduled.', 0, (o: Obj, now: number) => (o.status?.lastScheduleTime ? humanDuration(now - Date.parse(o.status.lastScheduleTime)) : '<none>')],
      ['Containers', 'string', 'Names of each container in the template.', 1, (o: Obj) => containerCells(o.spec?.jobTemplate?.spec?.template?.spec)[0]],
      ['Images', 'string', 'Images referenced by each container in the template.', 1, (o: Obj) => containerCells(o.spec?.jobTemplate?.spec?.template?.spec)[1]],
      ['Selector', 'string', 'A label query over pods that should match the pod count.', 1, (o: Obj) => formatLabelSelector(o.spec?.jobTemplate?.spec?.selector)],
    ]),
  },
});
