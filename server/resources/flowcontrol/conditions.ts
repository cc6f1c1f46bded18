// The status conditions both flowcontrol kinds validate alike (kube's ValidateFlowSchemaStatus and
// ValidatePriorityLevelConfigurationStatus): each has a type, no type twice.
import { field, type FieldError } from '../../api/errors.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

export function validateConditions(status: Obj | undefined): FieldError[] {
  const seen = new Set<string>();
  const errs: FieldError[] = [];
  for (const [i, c] of ((status?.conditions ?? []) as Obj[]).entries()) {
    if (!c.type) errs.push(field.required(`status.conditions[${i}].type`));
    else if (seen.has(c.type)) errs.push(field.duplicate(`status.conditions[${i}].type`, c.type));
    seen.add(c.type);
  }
  return errs;
}
