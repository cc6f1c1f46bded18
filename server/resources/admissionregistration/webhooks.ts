// What MutatingWebhookConfiguration and ValidatingWebhookConfiguration share: kube's v1 defaults
// and validation of a webhook (pkg/apis/admissionregistration/{v1/defaults.go,validation}).
import { field, type FieldError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { matchConditionErrors } from '../../admission/webhook-match-conditions.js';
import { isDNS1123Label, isDNS1123Subdomain, isDNS1035Label } from '../../validation/names.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const acceptedReviewVersions = ['v1', 'v1beta1'];
const operations = ['*', 'CONNECT', 'CREATE', 'DELETE', 'UPDATE'];

/** SetDefaults_ValidatingWebhook / SetDefaults_MutatingWebhook, Rule and ServiceReference. */
export function defaultWebhooks(obj: KubeObject, mutating: boolean): void {
  for (const h of ((obj as Obj).webhooks ?? []) as Obj[]) {
    if (!h || typeof h !== 'object') continue;
    h.failurePolicy ??= 'Fail';
    h.matchPolicy ??= 'Equivalent';
    h.namespaceSelector ??= {};
    h.objectSelector ??= {};
    h.timeoutSeconds ??= 10;
    if (mutating) h.reinvocationPolicy ??= 'Never';
    for (const r of (h.rules ?? []) as Obj[]) if (r && typeof r === 'object') r.scope ??= '*';
    const svc = h.clientConfig?.service;
    if (svc && typeof svc === 'object') svc.port ??= 443;
  }
}

/** kube's validate{Mutating,Validating}WebhookConfiguration, for create; `old` relaxes sideEffects as kube's update does. */
export function validateWebhooks(obj: KubeObject, mutating: boolean, old?: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  // On update, kube still accepts the side-effect classes the stored object already used (Unknown, Some).
  const legacySideEffects = old ? ((old as Obj).webhooks ?? []).some((h: Obj) => h?.sideEffects === 'Unknown' || h?.sideEffects === 'Some') : false;
  ((obj as Obj).webhooks ?? []).forEach((h: Obj, i: number) => {
    const at = `webhooks[${i}]`;
    errs.push(...validateWebhook(h ?? {}, at, mutating, legacySideEffects));
    errs.push(...validateReviewVersions(h?.admissionReviewVersions, `${at}.admissionReviewVersions`));
    if (h?.name) {
      if (names.has(h.name)) errs.push(field.duplicate(`${at}.name`, h.name));
      names.add(h.name);
    }
  });
  return errs;
}

function validateWebhook(h: Obj, at: string, mutating: boolean, legacySideEffects: boolean): FieldError[] {
  const errs: FieldError[] = [];
  errs.push(...fullyQualifiedName(h.name, `${at}.name`));
  ((h.rules ?? []) as Obj[]).forEach((r, i) => errs.push(...validateRule(r ?? {}, `${at}.rules[${i}]`)));
  if (h.failurePolicy !== undefined && !['Fail', 'Ignore'].includes(h.failurePolicy)) errs.push(field.notSupported(`${at}.failurePolicy`, h.failurePolicy, ['Fail', 'Ignore']));
  if (h.matchPolicy !== undefined && !['Equivalent', 'Exact'].includes(h.matchPolicy)) errs.push(field.notSupported(`${at}.matchPolicy`, h.matchPolicy, ['Equivalent', 'Exact']));
  const sideEffects = legacySideEffects ? ['None', 'NoneOnDryRun', 'Some', 'Unknown'] : ['None', 'NoneOnDryRun'];
  if (h.sideEffects === undefined) errs.push(field.required(`${at}.sideEffects`, `must specify one of ${sideEffects.join(', ')}`));
  else if (!sideEffects.includes(h.sideEffects)) errs.push(field.notSupported(`${at}.sideEffects`, h.sideEffects, sideEffects));
  if (h.timeoutSeconds !== undefined && (h.timeoutSeconds > 30 || h.timeoutSeconds < 1)) {
    errs.push(field.invalid(`${at}.timeoutSeconds`, h.timeoutSeconds, 'the timeout value must be between 1 and 30 seconds'));
  }
  if (mutating && h.reinvocationPolicy !== undefined && !['IfNeeded', 'Never'].includes(h.reinvocationPolicy)) {
    errs.push(field.notSupported(`${at}.reinvocationPolicy`, h.reinvocationPolicy, ['IfNeeded', 'Never']));
  }
  const cc = (h.clientConfig ?? {}) as Obj;
  if ((cc.url === undefined) === (cc.service === undefined)) errs.push(field.required(`${at}.clientConfig`, 'exactly one of url or service is required'));
  else if (cc.url !== undefined) errs.push(...validateURL(cc.url, `${at}.clientConfig.url`));
  else errs.push(...validateService(cc.service ?? {}, `${at}.clientConfig.service`));
  errs.push(...matchConditionErrors(h.matchConditions, `${at}.matchConditions`));
  return errs;
}

/** utilvalidation.IsFullyQualifiedName: a DNS subdomain with at least three segments. */
function fullyQualifiedName(name: unknown, at: string): FieldError[] {
  if (typeof name !== 'string' || !name) return [field.required(at, '')];
  const problems = isDNS1123Subdomain(name);
  if (problems.length) return [field.invalid(at, name, `a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`)];
  if (name.split('.').length < 3) return [field.invalid(at, name, 'should be a domain with at least three segments separated by dots')];
  return [];
}

function validateReviewVersions(versions: unknown, at: string): FieldError[] {
  if (!Array.isArray(versions) || versions.length === 0) return [field.required(at, `must specify one of ${acceptedReviewVersions.join(', ')}`)];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  versions.forEach((v: string, i) => {
    if (seen.has(v)) return errs.push(field.invalid(`${at}[${i}]`, v, 'duplicate version'));
    seen.add(v);
    for (const p of isDNS1035Label(String(v))) errs.push(field.invalid(`${at}[${i}]`, v, p));
  });
  if (!versions.some((v) => acceptedReviewVersions.includes(v))) errs.push(field.invalid(at, versions, `must include at least one of ${acceptedReviewVersions.join(', ')}`));
  return errs;
}

export function validateRule(r: Obj, at: string): FieldError[] {
  const errs: FieldError[] = [];
  const ops = (r.operations ?? []) as string[];
  if (ops.length === 0) errs.push(field.required(`${at}.operations`, ''));
  else if (ops.length > 1 && ops.includes('*')) errs.push(field.invalid(`${at}.operations`, ops, "if '*' is present, must not specify other operations"));
  ops.forEach((op, i) => {
    if (!operations.includes(op)) errs.push(field.notSupported(`${at}.operations[${i}]`, op, operations));
  });
  const groups = (r.apiGroups ?? []) as string[];
  if (groups.length === 0) errs.push(field.required(`${at}.apiGroups`, ''));
  else if (groups.length > 1 && groups.includes('*')) errs.push(field.invalid(`${at}.apiGroups`, groups, "if '*' is present, must not specify other API groups"));
  const versions = (r.apiVersions ?? []) as string[];
  if (versions.length === 0) errs.push(field.required(`${at}.apiVersions`, ''));
  else if (versions.length > 1 && versions.includes('*')) errs.push(field.invalid(`${at}.apiVersions`, versions, "if '*' is present, must not specify other API versions"));
  versions.forEach((v, i) => { if (!v) errs.push(field.required(`${at}.apiVersions[${i}]`, '')); });
  errs.push(...validateResources((r.resources ?? []) as string[], `${at}.resources`));
  if (r.scope !== undefined && !['*', 'Cluster', 'Namespaced'].includes(r.scope)) errs.push(field.notSupported(`${at}.scope`, r.scope, ['*', 'Cluster', 'Namespaced']));
  return errs;
}

/** validateResources: `pods`, `pods/status`, `pods/*`, `*`, `*\/status`, `*\/*`, without contradictions. */
function validateResources(resources: string[], at: string): FieldError[] {
  if (resources.length === 0) return [field.required(at, '')];
  const errs: FieldError[] = [];
  const withSub = new Set<string>();
  const subsForAll = new Set<string>();
  const resForAllSubs = new Set<string>();
  let hasStar = false;
  let hasDoubleStar = false;
  resources.forEach((rs, i) => {
    if (!rs) return errs.push(field.required(`${at}[${i}]`, ''));
    if (rs === '*/*') hasDoubleStar = true;
    if (rs === '*') hasStar = true;
    const [res, sub] = rs.split('/', 2);
    if (sub !== undefined) {
      withSub.add(rs);
      if (res === '*') subsForAll.add(sub);
      if (sub === '*') resForAllSubs.add(res);
    }
  });
  if (hasDoubleStar && resources.length > 1) errs.push(field.invalid(at, resources, "if '*/*' is present, must not specify other resources"));
  if (hasStar && resources.length - withSub.size > 1) errs.push(field.invalid(at, resources, "if '*' is present, must not specify other resources without subresources"));
  if (!hasDoubleStar) {
    resources.forEach((rs, i) => {
      const [res, sub] = rs.split('/', 2);
      if (sub === undefined) return;
      if (sub !== '*' && resForAllSubs.has(res)) errs.push(field.invalid(`${at}[${i}]`, rs, `if '${res}/*' is present, must not specify ${rs}`));
      if (res !== '*' && subsForAll.has(sub)) errs.push(field.invalid(`${at}[${i}]`, rs, `if '*/${sub}' is present, must not specify ${rs}`));
    });
  }
  return errs;
}

/** webhook.ValidateWebhookURL (forceHttps). */
function validateURL(raw: unknown, at: string): FieldError[] {
  const form = "; desired format: https://host[/path]";
  let u: URL;
  try {
    u = new URL(String(raw));
  } catch (e) {
    return [field.required(at, `url must be a valid URL: ${(e as Error).message}${form}`)];
  }
  const errs: FieldError[] = [];
  if (u.protocol !== 'https:') errs.push(field.invalid(at, u.protocol.replace(/:$/, ''), `'https' is the only allowed URL scheme${form}`));
  if (!u.host) errs.push(field.invalid(at, u.host, `host must be specified${form}`));
  if (u.username || u.password) errs.push(field.invalid(at, u.username + (u.password ? ':' + u.password : ''), 'user information is not permitted in the URL'));
  if (u.hash) errs.push(field.invalid(at, u.hash.slice(1), 'fragments are not permitted in the URL'));
  if (u.search) errs.push(field.invalid(at, u.search.slice(1), 'query parameters are not permitted in the URL'));
  return errs;
}

/** webhook.ValidateWebhookService. */
function validateService(s: Obj, at: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!s.name) errs.push(field.required(`${at}.name`, ''));
  if (!s.namespace) errs.push(field.required(`${at}.namespace`, ''));
  if (s.port !== undefined && !(Number.isInteger(s.port) && s.port >= 1 && s.port <= 65535)) {
    errs.push(field.invalid(`${at}.port`, s.port, 'port is not valid: must be between 1 and 65535, inclusive'));
  }
  const p = s.path as string | undefined;
  if (p === undefined || p === '/') return errs;
  if (!p.startsWith('/')) return [...errs, field.invalid(`${at}.path`, p, "must start with a '/'")];
  p.slice(1).split('/').forEach((seg, i) => {
    if (!seg) errs.push(field.invalid(`${at}.path`, p, `segment[${i}] may not be empty`));
    else for (const m of isDNS1123Label(seg.toLowerCase() === seg ? seg : seg.toLowerCase())) errs.push(field.invalid(`${at}.path`, p, `segment[${i}]: ${m}`));
  });
  return errs;
}
