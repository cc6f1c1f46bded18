// Validation the generic store runs on every write: schema, object metadata and the strategy's
// rules (create and update); and the list and delete options it is given.
import { errors, type FieldError, field } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import { validateAgainstSchema } from '../schema/validate.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../validation/meta.js';
import type { DeleteOptions, ListOptions } from './options.js';
import type { ResourceType } from './types.js';

export function validate(rt: ResourceType, obj: KubeObject, old: KubeObject | undefined): void {
  const schema = validateAgainstSchema(rt, obj);
  if (schema.decodeError) throw errors.badRequest(schema.decodeError);
  // Unknown fields are the decode step's (server/endpoints/handlers/decode.ts): reported and dropped there.
  const causes: FieldError[] = [...validateObjectMeta(rt, obj), ...schema.causes];
  causes.push(...(rt.strategy.validate?.(obj, old) ?? []));
  if (old) {
    causes.push(...validateObjectMetaUpdate(obj, old));
    causes.push(...(rt.strategy.validateUpdate?.(obj, old) ?? []));
  }
  if (causes.length) throw errors.invalid(rt.kind, rt.group, obj.metadata.name ?? obj.metadata.generateName ?? '', dedupe(causes));
}

export function validateDeleteOptions(o: DeleteOptions): void {
  const causes: FieldError[] = [];
  if (o.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(o.propagationPolicy)) {
    causes.push(field.notSupported('propagationPolicy', o.propagationPolicy, ['Foreground', 'Background', 'Orphan', 'nil']));
  }
  if (o.gracePeriodSeconds !== undefined && (typeof o.gracePeriodSeconds !== 'number' || o.gracePeriodSeconds < 0)) {
    causes.push(field.invalid('gracePeriodSeconds', o.gracePeriodSeconds, 'must be greater than or equal to 0'));
  }
  if (o.orphanDependents !== undefined && o.propagationPolicy) {
    causes.push(field.invalid('propagationPolicy', o.propagationPolicy, 'orphanDependents and deletionPropagation cannot be both set'));
  }
  for (const d of o.dryRun ?? []) if (d !== 'All') causes.push(field.notSupported('dryRun', d, ['All']));
  if (causes.length) throw errors.invalid('DeleteOptions', 'meta.k8s.io', '', causes);
}

/** kube's ValidateListOptions (every resourceVersionMatch error at once), then its storage's continue check. */
export function validateListOptions(opts: ListOptions): void {
  const causes: FieldError[] = [];
  const match = opts.resourceVersionMatch;
  if (match) {
    if (!opts.resourceVersion) causes.push(field.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided'));
    if (opts.continue) causes.push(field.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
    if (!['Exact', 'NotOlderThan'].includes(match)) causes.push(field.notSupported('resourceVersionMatch', match, ['Exact', 'NotOlderThan', '']));
    if (match === 'Exact' && opts.resourceVersion === '0') causes.push(field.forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
  }
  if (causes.length) throw errors.invalid('ListOptions', 'meta.k8s.io', '', causes);
  // k8s.io/apiserver storage.ValidateListOptions: a continue token carries its own resourceVersion.
  if (opts.continue && opts.resourceVersion && opts.resourceVersion !== '0') {
    throw errors.badRequest('specifying resource version is not allowed when using continue');
  }
}

function dedupe(causes: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return causes.filter((c) => {
    const k = `${c.type}|${c.field}|${c.detail}|${JSON.stringify(c.value)}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
