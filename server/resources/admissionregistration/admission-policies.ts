// What ValidatingAdmissionPolicy and its binding share: kube's v1 defaults and validation
// (pkg/apis/admissionregistration/{v1/defaults.go,validation/validation.go}).
import { field, type FieldError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { compileError } from '../../admission/validating-admission-policy-cel.js';
import { matchConditionErrors } from '../../admission/webhook-match-conditions.js';
import { isDNS1035Label, isDNS1123Subdomain, isPathSegmentName, isQualifiedName, isValidLabelValue } from '../../validation/names.js';
import { validateRule } from './webhooks.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const maxAuditAnnotations = 20;
const maxAuditAnnotationValueExpressionLength = 5 * 1024;
const reasons = ['Forbidden', 'Invalid', 'RequestEntityTooLarge'];
const validationActions = ['Audit', 'Deny', 'Warn'];
const celIdentifier = /^[_a-zA-Z][_a-zA-Z0-9]*$/;
const celReserved = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);

/** SetDefaults_MatchResources and the Rule scope default. */
export function defaultMatchResources(m: Obj | undefined): void {
  if (!m || typeof m !== 'object') return;
  m.matchPolicy ??= 'Equivalent';
  m.namespaceSelector ??= {};
  m.objectSelector ??= {};
  for (const list of [m.resourceRules, m.excludeResourceRules]) {
    for (const r of (Array.isArray(list) ? list : []) as Obj[]) if (r && typeof r === 'object') r.scope ??= '*';
  }
}

export function defaultPolicy(obj: KubeObject): void {
  const spec = ((obj as Obj).spec ??= {}) as Obj;
  spec.failurePolicy ??= 'Fail';
  defaultMatchResources(spec.matchConstraints);
}

export function defaultBinding(obj: KubeObject): void {
  const spec = ((obj as Obj).spec ??= {}) as Obj;
  defaultMatchResources(spec.matchResources);
}

/** validateValidatingAdmissionPolicySpec. */
export function validatePolicy(obj: KubeObject): FieldError[] {
  const spec = ((obj as Obj).spec ?? {}) as Obj;
  const errs: FieldError[] = [];
  if (spec.failurePolicy === undefined) errs.push(field.required('spec.failurePolicy'));
  else if (!['Fail', 'Ignore'].includes(spec.failurePolicy)) errs.push(field.notSupported('spec.failurePolicy', spec.failurePolicy, ['Fail', 'Ignore']));
  if (spec.paramKind) errs.push(...validateParamKind(spec.paramKind, 'spec.paramKind'));
  if (!spec.matchConstraints) errs.push(field.required('spec.matchConstraints'));
  else {
    errs.push(...validateMatchResources(spec.matchConstraints, 'spec.matchConstraints'));
    if (!spec.matchConstraints.resourceRules?.length) errs.push(field.required('spec.matchConstraints.resourceRules'));
  }
  errs.push(...matchConditionErrors(spec.matchConditions, 'spec.matchConditions'));
  ((spec.variables ?? []) as Obj[]).forEach((v, i) => {
    const at = `spec.variables[${i}]`;
    if (!v?.name?.trim()) errs.push(field.required(`${at}.name`, 'name is not specified'));
    else if (!celIdentifier.test(v.name) || celReserved.has(v.name)) errs.push(field.invalid(`${at}.name`, v.name, 'must be a valid CEL identifier'));
    if (!v?.expression?.trim()) errs.push(field.required(`${at}.expression`, 'expression is not specified'));
    else pushDefined(errs, compileError(v.expression, `${at}.expression`));
  });
  const validations = (spec.validations ?? []) as Obj[];
  const annotations = (spec.auditAnnotations ?? []) as Obj[];
  if (validations.length === 0 && annotations.length === 0) {
    errs.push(field.required('spec.validations', 'validations or auditAnnotations must contain at least one item'));
    errs.push(field.required('spec.auditAnnotations', 'validations or auditAnnotations must contain at least one item'));
    return errs;
  }
  validations.forEach((v, i) => errs.push(...validateValidation(v ?? {}, `spec.validations[${i}]`)));
  if (annotations.length > maxAuditAnnotations) errs.push(field.invalid('spec.auditAnnotations', annotations, `must not have more than ${maxAuditAnnotations} auditAnnotations`));
  const keys = new Set<string>();
  annotations.forEach((a, i) => {
    const at = `spec.auditAnnotations[${i}]`;
    const name = obj.metadata?.name;
    if (name) for (const m of isQualifiedName(`${name}/${a?.key ?? ''}`)) errs.push(field.invalid(`${at}.key`, `${name}/${a?.key ?? ''}`, m));
    else errs.push(field.invalid(`${at}.key`, a?.key, 'requires metadata.name be non-empty'));
    const ve = String(a?.valueExpression ?? '').trim();
    if (!ve) errs.push(field.required(`${at}.valueExpression`, 'valueExpression is not specified'));
    else if (ve.length > maxAuditAnnotationValueExpressionLength) errs.push(field.required(`${at}.valueExpression`, `must not exceed ${maxAuditAnnotationValueExpressionLength} bytes in length`));
    else pushDefined(errs, compileError(a.valueExpression, `${at}.valueExpression`));
    if (keys.has(a?.key)) errs.push(field.duplicate(`${at}.key`, a?.key));
    keys.add(a?.key);
  });
  return errs;
}

function validateValidation(v: Obj, at: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!String(v.expression ?? '').trim()) errs.push(field.required(`${at}.expression`, 'expression is not specified'));
  else pushDefined(errs, compileError(v.expression, `${at}.expression`));
  if (v.messageExpression !== undefined && v.messageExpression.length > 0 && !v.messageExpression.trim()) {
    errs.push(field.invalid(`${at}.messageExpression`, v.messageExpression, 'must be non-empty if specified'));
  } else if (v.messageExpression?.trim()) pushDefined(errs, compileError(v.messageExpression, `${at}.messageExpression`));
  if (v.message !== undefined && v.message.length > 0 && !v.message.trim()) errs.push(field.invalid(`${at}.message`, v.message, 'must be non-empty if specified'));
  else if (/[\n\r]/.test(String(v.message ?? '').trim())) errs.push(field.invalid(`${at}.message`, v.message, 'must not contain line breaks'));
  if (v.reason !== undefined && !reasons.includes(v.reason)) errs.push(field.notSupported(`${at}.reason`, v.reason, reasons));
  return errs;
}

function validateParamKind(pk: Obj, at: string): FieldError[] {
  const errs: FieldError[] = [];
  const apiVersion = String(pk.apiVersion ?? '');
  if (!apiVersion) errs.push(field.required(`${at}.apiVersion`));
  else if (apiVersion.split('/').length > 2) errs.push(field.invalid(`${at}.apiVersion`, apiVersion, `unexpected GroupVersion string: ${apiVersion}`));
  else {
    const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
    if (group) {
      const p = isDNS1123Subdomain(group);
      if (p.length) errs.push(field.invalid(`${at}.apiVersion`, group, p.join(',')));
    }
    if (!version) errs.push(field.invalid(`${at}.apiVersion`, apiVersion, 'version must be specified'));
    else {
      const p = isDNS1035Label(version);
      if (p.length) errs.push(field.invalid(`${at}.apiVersion`, version, p.join(',')));
    }
  }
  if (!pk.kind) errs.push(field.required(`${at}.kind`));
  else {
    const p = isDNS1035Label(String(pk.kind).toLowerCase());
    if (p.length) errs.push(field.invalid(`${at}.kind`, pk.kind, `may have mixed case, but should otherwise match: ${p.join(',')}`));
  }
  return errs;
}

/** metav1validation.ValidateLabelSelector, strictly (these kinds came after kube relaxed it for older ones). */
function labelSelectorErrors(sel: Obj | undefined, at: string): FieldError[] {
  if (!sel || typeof sel !== 'object') return [];
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries((sel.matchLabels ?? {}) as Record<string, string>)) {
    for (const m of isQualifiedName(k)) errs.push(field.invalid(`${at}.matchLabels`, k, m));
    for (const m of isValidLabelValue(String(v))) errs.push(field.invalid(`${at}.matchLabels`, v, m));
  }
  ((sel.matchExpressions ?? []) as Obj[]).forEach((e, i) => {
    const here = `${at}.matchExpressions[${i}]`;
    const values = (e?.values ?? []) as string[];
    if (e?.operator === 'In' || e?.operator === 'NotIn') {
      if (values.length === 0) errs.push(field.required(`${here}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (e?.operator === 'Exists' || e?.operator === 'DoesNotExist') {
      if (values.length > 0) errs.push(field.forbidden(`${here}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else errs.push(field.invalid(`${here}.operator`, e?.operator ?? '', 'not a valid selector operator'));
    for (const m of isQualifiedName(String(e?.key ?? ''))) errs.push(field.invalid(`${here}.key`, e?.key ?? '', m));
    values.forEach((v, j) => { for (const m of isValidLabelValue(String(v))) errs.push(field.invalid(`${here}.values[${j}]`, v, m)); });
  });
  return errs;
}

/** validateMatchResources. */
function validateMatchResources(m: Obj, at: string): FieldError[] {
  const errs: FieldError[] = [];
  if (m.matchPolicy === undefined) errs.push(field.required(`${at}.matchPolicy`));
  else if (!['Equivalent', 'Exact'].includes(m.matchPolicy)) errs.push(field.notSupported(`${at}.matchPolicy`, m.matchPolicy, ['Equivalent', 'Exact']));
  if (m.namespaceSelector === undefined) errs.push(field.required(`${at}.namespaceSelector`));
  else errs.push(...labelSelectorErrors(m.namespaceSelector, `${at}.namespaceSelector`));
  if (m.objectSelector === undefined) errs.push(field.required(`${at}.objectSelector`));
  else errs.push(...labelSelectorErrors(m.objectSelector, `${at}.objectSelector`));
  for (const list of ['resourceRules', 'excludeResourceRules']) {
    ((m[list] ?? []) as Obj[]).forEach((r, i) => {
      const here = `${at}.${list}[${i}]`;
      const names = new Set<string>();
      ((r?.resourceNames ?? []) as string[]).forEach((n, j) => {
        for (const msg of isPathSegmentName(n)) errs.push(field.invalid(`${here}.resourceNames[${j}]`, n, msg));
        if (names.has(n)) errs.push(field.duplicate(`${here}.resourceNames[${j}]`, n));
        names.add(n);
      });
      errs.push(...validateRule(r ?? {}, here));
    });
  }
  return errs;
}

/** validateValidatingAdmissionPolicyBindingSpec. */
export function validateBinding(obj: KubeObject): FieldError[] {
  const spec = ((obj as Obj).spec ?? {}) as Obj;
  const errs: FieldError[] = [];
  if (!spec.policyName) errs.push(field.required('spec.policyName'));
  else {
    for (const m of isDNS1123Subdomain(spec.policyName)) errs.push(field.invalid('spec.policyName', spec.policyName, m));
  }
  const pr = spec.paramRef as Obj | undefined;
  if (pr) {
    if (pr.name) {
      for (const m of isPathSegmentName(pr.name)) errs.push(field.invalid('spec.paramRef.name', pr.name, m));
      if (pr.selector) errs.push(field.forbidden('spec.paramRef.name', 'name and selector are mutually exclusive'));
    }
    if (pr.selector) errs.push(...labelSelectorErrors(pr.selector, 'spec.paramRef.selector'));
    if (pr.selector && pr.name) errs.push(field.forbidden('spec.paramRef.selector', 'name and selector are mutually exclusive'));
    if (!pr.name && !pr.selector) errs.push(field.required('spec.paramRef', 'one of name or selector must be specified'));
    if (!pr.parameterNotFoundAction) errs.push(field.required('spec.paramRef.parameterNotFoundAction'));
    else if (!['Deny', 'Allow'].includes(pr.parameterNotFoundAction)) errs.push(field.notSupported('spec.paramRef.parameterNotFoundAction', pr.parameterNotFoundAction, ['Deny', 'Allow']));
  }
  if (spec.matchResources) errs.push(...validateMatchResources(spec.matchResources, 'spec.matchResources'));
  const actions = (spec.validationActions ?? []) as string[];
  const seen = new Set<string>();
  actions.forEach((a, i) => {
    if (!validationActions.includes(a)) errs.push(field.notSupported(`spec.validationActions[${i}]`, a, validationActions));
    if (seen.has(a)) errs.push(field.duplicate(`spec.validationActions[${i}]`, a));
    seen.add(a);
  });
  if (seen.has('Deny') && seen.has('Warn')) {
    errs.push(field.invalid('spec.validationActions', actions, 'must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)'));
  }
  if (seen.size === 0) errs.push(field.required('spec.validationActions', 'at least one validation action is required'));
  return errs;
}

function pushDefined(errs: FieldError[], e: FieldError | undefined): void {
  if (e) errs.push(e);
}
