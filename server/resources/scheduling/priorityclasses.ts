import { ApiError, field, type FieldError } from '../../api/errors.js';
import { tableOf } from '../../table/format.js';
import { defineResource } from '../define.js';
import type { PostStartContext } from '../post-start.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const highestUserDefinable = 1_000_000_000;
const systemClasses = [
  { name: 'system-node-critical', value: 2_000_001_000, description: 'Used for system critical pods that must not be moved from their current node.' },
  { name: 'system-cluster-critical', value: 2_000_000_000, description: 'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.' },
];

export const priorityclasses = defineResource({
  group: 'scheduling.k8s.io', version: 'v1', kind: 'PriorityClass', resource: 'priorityclasses', namespaced: false, shortNames: ['pc'],
  strategy: {
    defaults(obj) {
      obj.preemptionPolicy ??= 'PreemptLowerPriority';
    },
    validate(obj): FieldError[] {
      const errs: FieldError[] = [];
      const system = systemClasses.some((c) => c.name === obj.metadata.name);
      if (typeof obj.value !== 'number') errs.push(field.required('value'));
      else if (!system && obj.value > highestUserDefinable) errs.push(field.forbidden('value', `maximum allowed value of a user defined priority is ${highestUserDefinable}`));
      if (!system && obj.metadata.name?.startsWith('system-')) errs.push(field.forbidden('metadata.name', 'priority class names with \'system-\' prefix are reserved for system use only'));
      if (!['PreemptLowerPriority', 'Never'].includes(obj.preemptionPolicy as string)) errs.push(field.notSupported('preemptionPolicy', obj.preemptionPolicy, ['Never', 'PreemptLowerPriority']));
      return errs;
    },
    validateUpdate(obj, old) {
      const errs: FieldError[] = [];
      if (obj.value !== old.value) errs.push(field.forbidden('value', 'may not be changed in an update.'));
      if (obj.preemptionPolicy !== old.preemptionPolicy) errs.push(field.invalid('preemptionPolicy', obj.preemptionPolicy, 'field is immutable'));
      return errs;
    },
    table: tableOf([
      ['Value', 'integer', 'The value of this priority class.', 0, (o: Obj) => o.value],
      ['Global-Default', 'boolean', 'globalDefault specifies whether this PriorityClass should be considered as the default priority.', 0, (o: Obj) => Boolean(o.globalDefault)],
      // Priority 0 but after AGE, as kube-apiserver declares it.
      ['PreemptionPolicy', 'string', 'preemptionPolicy is the Policy for preempting pods with lower priority.', 0, (o: Obj) => o.preemptionPolicy ?? ''],
    ], { ageAt: 2 }),
  },
});

/** kube's scheduling/bootstrap-system-priority-classes post-start hook. */
export async function ensureSystemPriorityClasses(ctx: PostStartContext): Promise<void> {
  for (const c of systemClasses) {
    try {
      await ctx.store.create(priorityclasses, '', {
        apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: c.name }, value: c.value, description: c.description,
      }, { dryRun: false, fieldValidation: 'Ignore', warnings: [] });
    } catch (e) {
      if (!(e instanceof ApiError && e.reason === 'AlreadyExists')) throw e;
    }
  }
}
