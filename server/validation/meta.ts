// ObjectMeta validation shared by every resource: name, generateName, labels, annotations, finalizers.
import { type FieldError, field } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import type { ResourceType } from '../registry/types.js';
import { ipProblems } from './ip.js';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isPathSegmentName, isQualifiedName, isValidLabelValue } from './names.js';

const totalAnnotationSizeLimit = 256 * 1024;

export function nameValidator(rule: ResourceType['nameRule'] | 'dns1035-label'): (v: string) => string[] {
  switch (rule) {
    case 'dns1123-label': return isDNS1123Label;
    case 'dns1035-label': return isDNS1035Label;
    case 'path-segment': return isPathSegmentName;
    case 'ip-address': return ipProblems;
    default: return isDNS1123Subdomain;
  }
}

/** kube's name check with prefix=true: a trailing dash is masked (random characters follow it). */
function generateNameCheck(rule: ResourceType['nameRule'] | 'dns1035-label', prefix: string): string[] {
  if (rule === 'path-segment') return isPathSegmentName(prefix).filter((m) => !m.startsWith('may not be'));
  const masked = prefix.length > 1 && prefix.endsWith('-') ? `${prefix.slice(0, -1)}a` : prefix;
  return nameValidator(rule)(masked);
}

export function validateObjectMeta(rt: ResourceType, obj: KubeObject, nameRule = rt.nameRule): FieldError[] {
  const errs: FieldError[] = [];
  const meta = obj.metadata;
  const check = nameValidator(nameRule);
  if (!meta.name) {
    errs.push(field.required('metadata.name', 'name or generateName is required'));
  } else {
    for (const m of check(meta.name)) errs.push(field.invalid('metadata.name', meta.name, m));
  }
  if (meta.generateName) {
    for (const m of generateNameCheck(nameRule, meta.generateName)) errs.push(field.invalid('metadata.generateName', meta.generateName, m));
  }
  if (rt.namespaced && !meta.namespace) errs.push(field.required('metadata.namespace'));
  if (!rt.namespaced && meta.namespace) errs.push(field.forbidden('metadata.namespace', 'not allowed on this type'));
  errs.push(...validateLabels(meta.labels, 'metadata.labels'));
  errs.push(...validateAnnotations(meta.annotations, 'metadata.annotations'));
  for (const [i, f] of (meta.finalizers ?? []).entries()) {
    for (const m of isQualifiedName(f)) errs.push(field.invalid(`metadata.finalizers[${i}]`, f, m));
  }
  return errs;
}

export function validateLabels(labels: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const m of isQualifiedName(k)) errs.push(field.invalid(path, k, m));
    if (typeof v !== 'string') {
      errs.push(field.invalid(`${path}`, v, 'label values must be strings'));
      continue;
    }
    for (const m of isValidLabelValue(v)) errs.push(field.invalid(path, v, m));
  }
  return errs;
}

export function validateAnnotations(annotations: Record<string, string> | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  let total = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(field.invalid(path, k, m));
    total += k.length + (typeof v === 'string' ? v.length : 0);
  }
  if (total > totalAnnotationSizeLimit) errs.push(field.tooLong(path, '', totalAnnotationSizeLimit));
  return errs;
}

/** Immutable metadata on update. */
export function validateObjectMetaUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (obj.metadata.name !== old.metadata.name) errs.push(field.invalid('metadata.name', obj.metadata.name, 'field is immutable'));
  if ((obj.metadata.namespace ?? '') !== (old.metadata.namespace ?? '')) {
    errs.push(field.invalid('metadata.namespace', obj.metadata.namespace, 'field is immutable'));
  }
  return errs;
}
