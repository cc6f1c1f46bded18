import { column } from '../../table/types.js';
import { formatLabels } from '../apps/workload.js';
import { defineResource } from '../define.js';
import { containerCells, defaultPodSpec, validatePodSpec } from './pod-spec.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

export const podtemplates = defineResource({
  group: '', version: 'v1', kind: 'PodTemplate', resource: 'podtemplates', namespaced: true,
  strategy: {
    trackGeneration: true,
    defaults(obj) {
      defaultPodSpec((obj.template as Obj | undefined)?.spec);
    },
    validate: (obj) => validatePodSpec((obj.template as Obj | undefined)?.spec ?? {}, 'template.spec'),
    // kube prints no AGE for pod templates.
    table: {
      columns: [
        column('Name', 'string', 'Name must be unique within a namespace.', 0, 'name'),
        column('Containers', 'string', 'Names of each container in the template.'),
        column('Images', 'string', 'Images referenced by each container in the template.'),
        column('Pod Labels', 'string', 'The labels for the pod template.'),
      ],
      cells: (obj) => {
        const template = (obj.template ?? {}) as Obj;
        return [obj.metadata.name, ...containerCells(template.spec), formatLabels(template.metadata?.labels)];
      },
    },
  },
});
