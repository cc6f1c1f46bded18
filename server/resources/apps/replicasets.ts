import { tableOf } from '../../table/format.js';
import { containerCells, formatLabelSelector } from '../core/pod-spec.js';
import { defineResource } from '../define.js';
import { statusSplit } from '../status.js';
import { defaultTemplate, validateSelectorImmutable, validateWorkload } from './workload.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

export const replicasets = defineResource({
  group: 'apps', version: 'v1', kind: 'ReplicaSet', resource: 'replicasets', namespaced: true, shortNames: ['rs'], categories: ['all'],
  subresources: { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' } },
  strategy: {
    trackGeneration: true,
    // status.replicas is not omitempty in apps/v1, so a new ReplicaSet shows it as 0.
    ...statusSplit(() => ({ replicas: 0 })),
    defaults(obj) {
      const spec = (obj.spec ??= {}) as Obj;
      spec.replicas ??= 1;
      defaultTemplate(obj);
    },
    validate: (obj) => validateWorkload(obj, { kind: 'deployment' }),
    validateUpdate: validateSelectorImmutable,
    table: tableOf([
      ['Desired', 'integer', 'Number of desired pods.', 0, (o: Obj) => o.spec?.replicas ?? 0],
      ['Current', 'integer', 'Replicas is the most recently observed number of replicas.', 0, (o: Obj) => o.status?.replicas ?? 0],
      ['Ready', 'integer', 'The number of ready replicas for this replica set.', 0, (o: Obj) => o.status?.readyReplicas ?? 0],
      ['Containers', 'string', 'Names of each container in the template.', 1, (o: Obj) => containerCells(o.spec?.template?.spec)[0]],
      ['Images', 'string', 'Images referenced by each container in the template.', 1, (o: Obj) => containerCells(o.spec?.template?.spec)[1]],
      ['Selector', 'string', 'Selector is a label query over pods that should match the replica count.', 1, (o: Obj) => formatLabelSelector(o.spec?.selector)],
    ]),
  },
});
