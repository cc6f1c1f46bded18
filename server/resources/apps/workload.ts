// What apps/v1 workloads share: the selector must match the template, and is immutable.
import { type FieldError, field } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { labelSelectorFromObject } from '../../selectors/labels.js';
import { validateLabels } from '../../validation/meta.js';
import { defaultPodSpec, validatePodSpec } from '../core/pod-spec.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

export function defaultTemplate(obj: KubeObject, opts: { restartPolicy?: boolean } = {}): void {
  const spec = obj.spec as Obj | undefined;
  defaultPodSpec(spec?.template?.spec, opts);
}

/** `kind` names the workload in kube's empty-selector message (ReplicaSets say "deployment" there too, as kube does). */
export function validateWorkload(obj: KubeObject, opts: { replicas?: boolean; restartPolicies?: string[]; kind?: string } = {}): FieldError[] {
  const spec = (obj.spec ?? {}) as Obj;
  const errs: FieldError[] = [];
  if (opts.replicas !== false && spec.replicas !== undefined && spec.replicas < 0) {
    errs.push(field.invalid('spec.replicas', spec.replicas, 'must be greater than or equal to 0'));
  }
  const selector = spec.selector as Obj | undefined;
  if (!selector) errs.push(field.required('spec.selector'));
  else if (opts.kind && !Object.keys(selector.matchLabels ?? {}).length && !(selector.matchExpressions ?? []).length) {
    errs.push(field.invalid('spec.selector', selector, `empty selector is invalid for ${opts.kind}`));
  }
  const labels = spec.template?.metadata?.labels as Record<string, string> | undefined;
  if (selector && !labelSelectorFromObject(selector).matches(labels ?? {})) {
    errs.push(field.invalid('spec.template.metadata.labels', labels ?? {}, '`selector` does not match template `labels`'));
  }
  errs.push(...validateLabels(labels, 'spec.template.metadata.labels'));
  if (!spec.template) errs.push(field.required('spec.template'));
  else errs.push(...validatePodSpec(spec.template.spec, 'spec.template.spec', opts.restartPolicies ?? ['Always']));
  return errs;
}

export function validateSelectorImmutable(obj: KubeObject, old: KubeObject): FieldError[] {
  const a = (obj.spec as Obj | undefined)?.selector;
  const b = (old.spec as Obj | undefined)?.selector;
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [field.invalid('spec.selector', a, 'field is immutable')];
}

/** labels.FormatLabels: `k=v` pairs sorted by key, `<none>` when empty (DaemonSet NODE SELECTOR). */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length ? keys.map((k) => `${k}=${labels![k]}`).join(',') : '<none>';
}
