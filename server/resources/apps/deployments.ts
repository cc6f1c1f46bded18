import { field } from '../../api/errors.js';
import { tableOf } from '../../table/format.js';
import { containerCells, formatLabelSelector } from '../core/pod-spec.js';
import { defineResource } from '../define.js';
import { statusSplit } from '../status.js';
import { defaultTemplate, validateSelectorImmutable, validateWorkload } from './workload.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

export const deployments = defineResource({
  group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', namespaced: true, shortNames: ['deploy'], categories: ['all'],
  subresources: { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' } },
  strategy: {
    trackGeneration: true,
    ...statusSplit(),
    defaults(obj) {
      const spec = (obj.spec ??= {}) as Obj;
      spec.replicas ??= 1;
      spec.strategy ??= {};
      spec.strategy.type ??= 'RollingUpdate';
      if (spec.strategy.type === 'RollingUpdate') {
        spec.strategy.rollingUpdate ??= {};
        spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
        spec.strategy.rollingUpdate.maxSurge ??= '25%';
      }
      spec.revisionHistoryLimit ??= 10;
      spec.progressDeadlineSeconds ??= 600;
      defaultTemplate(obj);
    },
    validate(obj) {
      const errs = validateWorkload(obj, { kind: 'deployment' });
      const spec = (obj.spec ?? {}) as Obj;
      if (spec.strategy && !['RollingUpdate', 'Recreate'].includes(spec.strategy.type)) {
        errs.push(field.notSupported('spec.strategy.type', spec.strategy.type, ['Recreate', 'RollingUpdate']));
      }
      if (spec.strategy?.type === 'Recreate' && spec.strategy.rollingUpdate) {
        errs.push(field.forbidden('spec.strategy.rollingUpdate', 'may not be specified when strategy `type` is \'Recreate\''));
      }
      const ru = spec.strategy?.rollingUpdate;
      if (ru && (ru.maxSurge === 0 || ru.maxSurge === '0%') && (ru.maxUnavailable === 0 || ru.maxUnavailable === '0%')) {
        errs.push(field.invalid('spec.strategy.rollingUpdate.maxUnavailable', ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
      }
      if (spec.progressDeadlineSeconds !== undefined && spec.minReadySeconds !== undefined && spec.progressDeadlineSeconds <= spec.minReadySeconds) {
        errs.push(field.invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
      }
      return errs;
    },
    validateUpdate: validateSelectorImmutable,
    table: tableOf([
      ['Ready', 'string', 'Number of the pod with ready state', 0, (o: Obj) => `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`],
      ['Up-to-date', 'string', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.', 0, (o: Obj) => o.status?.updatedReplicas ?? 0],
      ['Available', 'string', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.', 0, (o: Obj) => o.status?.availableReplicas ?? 0],
      ['Containers', 'string', 'Names of each container in the template.', 1, (o: Obj) => containerCells(o.spec?.template?.spec)[0]],
      ['Images', 'string', 'Images referenced by each container in the template.', 1, (o: Obj) => containerCells(o.spec?.template?.spec)[1]],
      ['Selector', 'string', 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.', 1, (o: Obj) => formatLabelSelector(o.spec?.selector)],
    ]),
  },
});
