import { field, type FieldError } from '../../api/errors.js';
import { tableOf } from '../../table/format.js';
import { defineResource } from '../define.js';
import { statusSplit } from '../status.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

export const poddisruptionbudgets = defineResource({
  group: 'policy', version: 'v1', kind: 'PodDisruptionBudget', resource: 'poddisruptionbudgets', namespaced: true, shortNames: ['pdb'],
  subresources: { status: true },
  strategy: {
    trackGeneration: true,
    ...statusSplit(() => ({ currentHealthy: 0, desiredHealthy: 0, disruptionsAllowed: 0, expectedPods: 0 })),
    validate(obj): FieldError[] {
      const spec = (obj.spec ?? {}) as Obj;
      const errs: FieldError[] = [];
      if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) errs.push(field.invalid('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
      for (const k of ['minAvailable', 'maxUnavailable']) {
        const v = spec[k];
        if (typeof v === 'number' && v < 0) errs.push(field.invalid(`spec.${k}`, v, 'must be greater than or equal to 0'));
        if (typeof v === 'string' && !/^\d+%$/.test(v)) errs.push(field.invalid(`spec.${k}`, v, 'a valid percent string must be a numeric string followed by an ending \'%\' (e.g. \'1%\',  or \'93%\', regex used for validation is \'[0-9]+%\')'));
      }
      if (spec.unhealthyPodEvictionPolicy && !['IfHealthyBudget', 'AlwaysAllow'].includes(spec.unhealthyPodEvictionPolicy)) {
        errs.push(field.notSupported('spec.unhealthyPodEvictionPolicy', spec.unhealthyPodEvictionPolicy, ['AlwaysAllow', 'IfHealthyBudget']));
      }
      return errs;
    },
    table: tableOf([
      ['Min Available', 'string', 'The minimum number of pods that must be available.', 0, (o: Obj) => (o.spec?.minAvailable !== undefined ? String(o.spec.minAvailable) : 'N/A')],
      ['Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.', 0, (o: Obj) => (o.spec?.maxUnavailable !== undefined ? String(o.spec.maxUnavailable) : 'N/A')],
      ['Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.', 0, (o: Obj) => o.status?.disruptionsAllowed ?? 0],
    ]),
  },
});
