import { field, type FieldError } from '../../api/errors.js';
import { tableOf } from '../../table/format.js';
import { validateLabels } from '../../validation/meta.js';
import { isDNS1123Label } from '../../validation/names.js';
import { isNegativeQuantity } from '../../validation/quantity.js';
import { defineResource } from '../define.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const operators = ['Equal', 'Exists'];
const effects = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** The toleration rules kube's RuntimeClass validation shares with pods, and its uniqueness rule. */
function validateTolerations(tolerations: Obj[]): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  for (const [i, t] of tolerations.entries()) {
    const p = `scheduling.tolerations[${i}]`;
    if (t.operator !== undefined && !operators.includes(t.operator)) errs.push(field.notSupported(`${p}.operator`, t.operator, operators));
    if (t.operator === 'Exists' && t.value) errs.push(field.invalid(`${p}.operator`, t.value, 'value must be empty when `operator` is \'Exists\''));
    if (!t.key && t.operator !== 'Exists') errs.push(field.invalid(`${p}.operator`, t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    if (t.effect && !effects.includes(t.effect)) errs.push(field.notSupported(`${p}.effect`, t.effect, effects));
    const key = JSON.stringify([t.key ?? '', t.operator ?? '', t.value ?? '', t.effect ?? '']);
    // kube prints the internal Go struct of the duplicate.
    const goValue = { Key: t.key ?? '', Operator: t.operator ?? '', Value: t.value ?? '', Effect: t.effect ?? '', TolerationSeconds: t.tolerationSeconds ?? null };
    if (seen.has(key)) errs.push(field.duplicate(`scheduling.tolerations[${i}]`, goValue));
    seen.add(key);
  }
  return errs;
}

export const runtimeclasses = defineResource({
  group: 'node.k8s.io', version: 'v1', kind: 'RuntimeClass', resource: 'runtimeclasses', namespaced: false,
  strategy: {
    defaults(obj) {
      // handler is not omitempty in Go: a missing one is "", refused by validate below rather than the schema.
      (obj as Obj).handler ??= '';
    },
    validate(obj): FieldError[] {
      const o = obj as Obj;
      const errs: FieldError[] = isDNS1123Label(o.handler ?? '').map((m) => field.invalid('handler', o.handler ?? '', m));
      for (const [name, q] of Object.entries((o.overhead?.podFixed ?? {}) as Record<string, unknown>)) {
        // kube checks podFixed as container limits, and names it so.
        if (isNegativeQuantity(q)) errs.push(field.invalid(`overhead.limits[${name}]`, q, 'must be greater than or equal to 0'));
      }
      if (o.scheduling) {
        errs.push(...validateLabels(o.scheduling.nodeSelector, 'scheduling.nodeSelector'));
        errs.push(...validateTolerations(o.scheduling.tolerations ?? []));
      }
      return errs;
    },
    validateUpdate(obj, old) {
      return (obj as Obj).handler === (old as Obj).handler ? [] : [field.invalid('handler', (obj as Obj).handler, 'field is immutable')];
    },
    // kube's column reads ObjectMeta's doc for "handler", which has none: the description is empty.
    table: tableOf([['Handler', 'string', '', 0, (o: Obj) => o.handler ?? '']]),
  },
});
