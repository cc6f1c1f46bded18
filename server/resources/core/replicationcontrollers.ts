// ReplicationController: the core/v1 ancestor of ReplicaSet; its selector is a plain label map,
// defaulted from the template's labels (kube's SetDefaults_ReplicationController).
import { type FieldError, field } from '../../api/errors.js';
import { labelSelectorFromObject } from '../../selectors/labels.js';
import { tableOf } from '../../table/format.js';
import { validateLabels } from '../../validation/meta.js';
import { formatLabels } from '../apps/workload.js';
import { defineResource } from '../define.js';
import { statusSplit } from '../status.js';
import { containerCells, defaultPodSpec, validatePodSpec } from './pod-spec.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

/** kube's ValidateReplicationControllerSpec, in its order. */
function validateSpec(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const selector: Record<string, string> = spec.selector ?? {};
  if (spec.minReadySeconds < 0) errs.push(field.invalid('spec.minReadySeconds', spec.minReadySeconds, 'must be greater than or equal to 0'));
  if (!Object.keys(selector).length) errs.push(field.required('spec.selector'));
  errs.push(...validateLabels(spec.selector, 'spec.selector'));
  if (spec.replicas < 0) errs.push(field.invalid('spec.replicas', spec.replicas, 'must be greater than or equal to 0'));
  const template = spec.template as Obj | undefined;
  if (!template) return [...errs, field.required('spec.template')];
  const labels: Record<string, string> = template.metadata?.labels ?? {};
  if (Object.keys(selector).length && !labelSelectorFromObject({ matchLabels: selector }).matches(labels)) {
    errs.push(field.invalid('spec.template.metadata.labels', labels, '`selector` does not match template `labels`'));
  }
  errs.push(...validateLabels(template.metadata?.labels, 'spec.template.metadata.labels'));
  errs.push(...validatePodSpec(template.spec, 'spec.template.spec', ['Always']));
  return errs;
}

export const replicationcontrollers = defineResource({
  group: '', version: 'v1', kind: 'ReplicationController', resource: 'replicationcontrollers', namespaced: true, shortNames: ['rc'], categories: ['all'],
  subresources: { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.spec.selector' } },
  strategy: {
    trackGeneration: true,
    // Kept for compatibility, v1 controllers orphan their pods unless a DELETE says otherwise.
    garbageCollectionPolicy: 'OrphanDependents',
    // status.replicas is not omitempty: a new controller shows 0.
    ...statusSplit(() => ({ replicas: 0 })),
    defaults(obj) {
      const spec = (obj.spec ??= {}) as Obj;
      const labels = spec.template?.metadata?.labels as Record<string, string> | undefined;
      if (labels && Object.keys(labels).length) {
        if (!spec.selector || !Object.keys(spec.selector).length) spec.selector = { ...labels };
        if (!obj.metadata.labels || !Object.keys(obj.metadata.labels).length) obj.metadata.labels = { ...labels };
      }
      spec.replicas ??= 1;
      defaultPodSpec(spec.template?.spec);
    },
    validate: (obj) => validateSpec((obj.spec ?? {}) as Obj),
    table: tableOf([
      ['Desired', 'integer', 'Replicas is the number of desired replicas.', 0, (o: Obj) => o.spec?.replicas ?? 0],
      ['Current', 'integer', 'Replicas is the most recently observed number of replicas.', 0, (o: Obj) => o.status?.replicas ?? 0],
      ['Ready', 'integer', 'The number of ready replicas for this replication controller.', 0, (o: Obj) => o.status?.readyReplicas ?? 0],
      ['Containers', 'string', 'Names of each container in the template.', 1, (o: Obj) => containerCells(o.spec?.template?.spec)[0]],
      ['Images', 'string', 'Images referenced by each container in the template.', 1, (o: Obj) => containerCells(o.spec?.template?.spec)[1]],
      ['Selector', 'string', 'Selector is a label query over pods that should match the Replicas count.', 1, (o: Obj) => formatLabels(o.spec?.selector)],
    ]),
  },
});
