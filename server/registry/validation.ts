// Validation the generic store runs on every write: schema, object metadata and the strategy's
// rules (create and update); and the list and delete options it is given.
import { errors, type FieldError, field } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import { validateAgainstSchema } from '../schema/validate.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../validation/meta.js';
import type { DeleteOptions, ListOptions, WriteOptions } from './options.js';
import type { ResourceType } from './types.js';

export function validate(rt: ResourceType, obj: KubeObject, old: KubeObject | undefined, opts: WriteOptions): void {
  const schema = validateAgainstSchema(rt, obj);
  if (schema.decodeError) throw errors.badRequest(schema.decodeError);
  if (schema.unknownFields.length) {
    if (opts.fieldValidation === 'Strict') {
      const parts = schema.unknownFields.map((f) => `unknown field "${f}"`);
      throw errors.badRequest(`${rt.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: strict decoding error: ${parts.join(', ')}`);
    }
    if (opts.fieldValidation === 'Warn') for (const f of schema.unknownFields) opts.warnings.push(`unknown field "${f}"`);
  }
  const causes: FieldError[] = [...validateObjectMeta(rt, obj), ...schema.causes];
  causes.push(...(rt.strategy.validate?.(obj) ?? []));
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

/** kube's ValidateListOptions for resourceVersionMatch. */
export function validateListOptions(opts: ListOptions): void {
  if (opts.resourceVersionMatch && !['Exact', 'NotOlderThan'].includes(opts.resourceVersionMatch)) {
    throw errors.invalid('ListOptions', 'meta.k8s.io', '', [field.notSupported('resourceVersionMatch', opts.resourceVersionMatch, ['Exact', 'NotOlderThan'])]);
  }
  if (opts.resourceVersionMatch && !opts.resourceVersion && !opts.continue) {
    throw errors.invalid('ListOptions', 'meta.k8s.io', '', [field.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided')]);
  }
  if (opts.resourceVersionMatch === 'Exact' && opts.resourceVersion === '0') {
    throw errors.invalid('ListOptions', 'meta.k8s.io', '', [field.forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"')]);
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
