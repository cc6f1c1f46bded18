import { field } from '../../api/errors.js';
import { tableOf } from '../../table/format.js';
import { containerCells } from '../core/pod-spec.js';
import { defineResource } from '../define.js';
import { statusSplit } from '../status.js';
import { defaultTemplate, validateWorkload } from './workload.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

export const statefulsets = defineResource({
  group: 'apps', version: 'v1', kind: 'StatefulSet', resource: 'statefulsets', namespaced: true, shortNames: ['sts'], categories: ['all'],
  subresources: { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' } },
  strategy: {
    trackGeneration: true,
    ...statusSplit(() => ({ replicas: 0, availableReplicas: 0 })),
    defaults(obj) {
      const spec = (obj.spec ??= {}) as Obj;
      spec.replicas ??= 1;
      spec.podManagementPolicy ??= 'OrderedReady';
      spec.updateStrategy ??= { type: 'RollingUpdate' };
      if (spec.updateStrategy.type === 'RollingUpdate') {
        spec.updateStrategy.rollingUpdate ??= {};
        spec.updateStrategy.rollingUpdate.partition ??= 0;
      }
      spec.revisionHistoryLimit ??= 10;
      spec.persistentVolumeClaimRetentionPolicy ??= {};
      spec.persistentVolumeClaimRetentionPolicy.whenDeleted ??= 'Retain';
      spec.persistentVolumeClaimRetentionPolicy.whenScaled ??= 'Retain';
      for (const t of spec.volumeClaimTemplates ?? []) {
        t.apiVersion ??= 'v1';
        t.kind ??= 'PersistentVolumeClaim';
        t.spec ??= {};
        t.spec.volumeMode ??= 'Filesystem';
        t.status ??= { phase: 'Pending' };
      }
      defaultTemplate(obj);
    },
    validate(obj) {
      const errs = validateWorkload(obj, { kind: 'statefulset' });
      const spec = (obj.spec ?? {}) as Obj;
      if (!['OrderedReady', 'Parallel'].includes(spec.podManagementPolicy)) errs.push(field.notSupported('spec.podManagementPolicy', spec.podManagementPolicy, ['OrderedReady', 'Parallel']));
      if (!['RollingUpdate', 'OnDelete'].includes(spec.updateStrategy?.type)) errs.push(field.notSupported('spec.updateStrategy.type', spec.updateStrategy?.type, ['OnDelete', 'RollingUpdate']));
      return errs;
    },
    validateUpdate(obj, old) {
      // Only replicas, ordinals, template, updateStrategy, revisionHistoryLimit, minReadySeconds and the PVC retention policy may change.
      const strip = (s: Obj | undefined) => {
        const c = structuredClone(s ?? {});
        for (const k of ['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds']) delete c[k];
        return JSON.stringify(c);
      };
      return strip(obj.spec as Obj) === strip(old.spec as Obj) ? [] : [field.forbidden('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")];
    },
    table: tableOf([
      ['Ready', 'string', 'Number of the pod with ready state', 0, (o: Obj) => `${o.status?.readyReplicas ?? 0}/${o.spec?.replicas ?? 0}`],
      ['Containers', 'string', 'Names of each container in the template.', 1, (o: Obj) => containerCells(o.spec?.template?.spec)[0]],
      ['Images', 'string', 'Images referenced by each container in the template.', 1, (o: Obj) => containerCells(o.spec?.template?.spec)[1]],
    ]),
  },
});
