import { field } from '../../api/errors.js';
import { tableOf } from '../../table/format.js';
import { containerCells, formatLabelSelector } from '../core/pod-spec.js';
import { defineResource } from '../define.js';
import { statusSplit } from '../status.js';
import { defaultTemplate, formatLabels, validateSelectorImmutable, validateWorkload } from './workload.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

export const daemonsets = defineResource({
  group: 'apps', version: 'v1', kind: 'DaemonSet', resource: 'daemonsets', namespaced: true, shortNames: ['ds'], categories: ['all'],
  subresources: { status: true },
  strategy: {
    trackGeneration: true,
    ...statusSplit(() => ({ currentNumberScheduled: 0, desiredNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0 })),
    defaults(obj) {
      const spec = (obj.spec ??= {}) as Obj;
      spec.updateStrategy ??= { type: 'RollingUpdate' };
      if (spec.updateStrategy.type === 'RollingUpdate') {
        spec.updateStrategy.rollingUpdate ??= {};
        spec.updateStrategy.rollingUpdate.maxUnavailable ??= 1;
        spec.updateStrategy.rollingUpdate.maxSurge ??= 0;
      }
      spec.revisionHistoryLimit ??= 10;
      defaultTemplate(obj);
    },
    validate(obj) {
      const errs = validateWorkload(obj, { replicas: false, kind: 'daemonset' });
      const t = ((obj.spec ?? {}) as Obj).updateStrategy?.type;
      if (!['RollingUpdate', 'OnDelete'].includes(t)) errs.push(field.notSupported('spec.updateStrategy.type', t, ['OnDelete', 'RollingUpdate']));
      return errs;
    },
    validateUpdate: validateSelectorImmutable,
    table: tableOf([
      ['Desired', 'integer', 'The total number of nodes that should be running the daemon pod.', 0, (o: Obj) => o.status?.desiredNumberScheduled ?? 0],
      ['Current', 'integer', 'The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.', 0, (o: Obj) => o.status?.currentNumberScheduled ?? 0],
      ['Ready', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.', 0, (o: Obj) => o.status?.numberReady ?? 0],
      ['Up-to-date', 'integer', 'The total number of nodes that are running updated daemon pod', 0, (o: Obj) => o.status?.updatedNumberScheduled ?? 0],
      ['Available', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available.', 0, (o: Obj) => o.status?.numberAvailable ?? 0],
      ['Node Selector', 'string', 'NodeSelector is a selector which must be true for the pod to fit on a node.', 0, (o: Obj) => formatLabels(o.spec?.template?.spec?.nodeSelector)],
      ['Containers', 'string', 'Names of each container in the template.', 1, (o: Obj) => containerCells(o.spec?.template?.spec)[0]],
      ['Images', 'string', 'Images referenced by each container in the template.', 1, (o: Obj) => containerCells(o.spec?.template?.spec)[1]],
      ['Selector', 'string', 'A label query over pods that are managed by the daemon set.', 1, (o: Obj) => formatLabelSelector(o.spec?.selector)],
    ]),
  },
});
