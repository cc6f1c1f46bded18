// The pod spec's defaults and validation, shared by pods and by every workload's pod template.
import { type FieldError, field } from '../../api/errors.js';
import { isCIdentifier, isDNS1123Label, isValidPortName } from '../../validation/names.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

function defaultContainer(c: Obj): void {
  if (!c.imagePullPolicy && typeof c.image === 'string') {
    const ref = c.image.split('@')[0];
    const lastPart = ref.slice(ref.lastIndexOf('/') + 1);
    const tag = lastPart.includes(':') ? lastPart.slice(lastPart.lastIndexOf(':') + 1) : '';
    c.imagePullPolicy = !tag || tag === 'latest' ? (c.image.includes('@') ? 'IfNotPresent' : 'Always') : 'IfNotPresent';
  }
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  c.resources ??= {};
  for (const p of c.ports ?? []) p.protocol ??= 'TCP';
  for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) {
    if (!probe) continue;
    probe.timeoutSeconds ??= 1;
    probe.periodSeconds ??= 10;
    probe.successThreshold ??= 1;
    probe.failureThreshold ??= 3;
    if (probe.httpGet) probe.httpGet.scheme ??= 'HTTP';
  }
  for (const e of c.env ?? []) {
    if (e.valueFrom?.fieldRef) e.valueFrom.fieldRef.apiVersion ??= 'v1';
  }
}

/** kube-apiserver's defaults for a PodSpec (pods and every pod template). */
export function defaultPodSpec(spec: Obj | undefined, opts: { restartPolicy?: boolean } = {}): void {
  if (!spec) return;
  // Job templates keep an empty restartPolicy, so validation can ask for OnFailure or Never.
  if (opts.restartPolicy !== false) spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
  for (const c of spec.containers ?? []) defaultContainer(c);
  for (const c of spec.initContainers ?? []) defaultContainer(c);
  for (const v of spec.volumes ?? []) {
    if (v.secret) v.secret.defaultMode ??= 420;
    if (v.configMap) v.configMap.defaultMode ??= 420;
    if (v.projected) v.projected.defaultMode ??= 420;
    if (v.hostPath) v.hostPath.type ??= '';
    if (v.downwardAPI) v.downwardAPI.defaultMode ??= 420;
  }
}

function validateContainer(c: Obj, path: string, names: Set<string>, errs: FieldError[]): void {
  if (!c.name) errs.push(field.required(`${path}.name`));
  else {
    for (const m of isDNS1123Label(c.name)) errs.push(field.invalid(`${path}.name`, c.name, m));
    if (names.has(c.name)) errs.push(field.duplicate(`${path}.name`, c.name));
    names.add(c.name);
  }
  if (!c.image || (typeof c.image === 'string' && !c.image.trim())) errs.push(field.required(`${path}.image`));
  const portNames = new Set<string>();
  for (const [i, p] of (c.ports ?? []).entries()) {
    const pp = `${path}.ports[${i}]`;
    if (p.containerPort === undefined) errs.push(field.required(`${pp}.containerPort`));
    else if (!(p.containerPort >= 1 && p.containerPort <= 65535)) errs.push(field.invalid(`${pp}.containerPort`, p.containerPort, 'must be between 1 and 65535, inclusive'));
    if (p.hostPort !== undefined && !(p.hostPort >= 1 && p.hostPort <= 65535)) errs.push(field.invalid(`${pp}.hostPort`, p.hostPort, 'must be between 1 and 65535, inclusive'));
    if (p.protocol && !['TCP', 'UDP', 'SCTP'].includes(p.protocol)) errs.push(field.notSupported(`${pp}.protocol`, p.protocol, ['SCTP', 'TCP', 'UDP']));
    if (p.name) {
      for (const m of isValidPortName(p.name)) errs.push(field.invalid(`${pp}.name`, p.name, m));
      if (portNames.has(p.name)) errs.push(field.duplicate(`${pp}.name`, p.name));
      portNames.add(p.name);
    }
  }
  for (const [i, e] of (c.env ?? []).entries()) {
    if (!e.name) errs.push(field.required(`${path}.env[${i}].name`));
    // RelaxedEnvironmentVariableValidation (GA in 1.34): any printable ASCII but '='.
    else if (typeof e.name !== 'string' || !/^[\x20-\x3c\x3e-\x7e]+$/.test(e.name)) {
      errs.push(field.invalid(`${path}.env[${i}].name`, e.name, "a valid environment variable name must consist only of printable ASCII characters other than '='"));
    }
  }
  if (c.imagePullPolicy && !['Always', 'IfNotPresent', 'Never'].includes(c.imagePullPolicy)) {
    errs.push(field.notSupported(`${path}.imagePullPolicy`, c.imagePullPolicy, ['Always', 'IfNotPresent', 'Never']));
  }
  void isCIdentifier;
}

/** Validation of a PodSpec at `path` (`spec` for pods, `spec.template.spec` for workloads). */
export function validatePodSpec(spec: Obj | undefined, path: string, allowedRestartPolicies = ['Always', 'OnFailure', 'Never']): FieldError[] {
  const errs: FieldError[] = [];
  if (!spec) return [field.required(path)];
  const names = new Set<string>();
  if (!Array.isArray(spec.containers) || !spec.containers.length) errs.push(field.required(`${path}.containers`));
  for (const [i, c] of (spec.containers ?? []).entries()) validateContainer(c, `${path}.containers[${i}]`, names, errs);
  for (const [i, c] of (spec.initContainers ?? []).entries()) validateContainer(c, `${path}.initContainers[${i}]`, names, errs);
  if (spec.restartPolicy && !allowedRestartPolicies.includes(spec.restartPolicy)) {
    errs.push(field.notSupported(`${path}.restartPolicy`, spec.restartPolicy, allowedRestartPolicies));
  }
  if (spec.dnsPolicy && !['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'].includes(spec.dnsPolicy)) {
    errs.push(field.notSupported(`${path}.dnsPolicy`, spec.dnsPolicy, ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None']));
  }
  if (spec.terminationGracePeriodSeconds !== undefined && spec.terminationGracePeriodSeconds < 0) {
    errs.push(field.invalid(`${path}.terminationGracePeriodSeconds`, spec.terminationGracePeriodSeconds, 'must be greater than or equal to 0'));
  }
  // An int64 in the API, an int32 range in validation (kube's ValidatePodSpec).
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null && (spec.activeDeadlineSeconds < 1 || spec.activeDeadlineSeconds > 2147483647)) {
    errs.push(field.invalid(`${path}.activeDeadlineSeconds`, spec.activeDeadlineSeconds, 'must be between 1 and 2147483647, inclusive'));
  }
  const volumeNames = new Set<string>();
  for (const [i, v] of (spec.volumes ?? []).entries()) {
    if (!v.name) errs.push(field.required(`${path}.volumes[${i}].name`));
    else {
      for (const m of isDNS1123Label(v.name)) errs.push(field.invalid(`${path}.volumes[${i}].name`, v.name, m));
      if (volumeNames.has(v.name)) errs.push(field.duplicate(`${path}.volumes[${i}].name`, v.name));
      volumeNames.add(v.name);
    }
  }
  for (const [ci, c] of [...(spec.containers ?? []), ...(spec.initContainers ?? [])].entries()) {
    for (const [i, m] of ((c as Obj).volumeMounts ?? []).entries()) {
      if (m.name && !volumeNames.has(m.name)) {
        const kind = ci < (spec.containers ?? []).length ? 'containers' : 'initContainers';
        const idx = kind === 'containers' ? ci : ci - (spec.containers ?? []).length;
        errs.push(field.notFound(`${path}.${kind}[${idx}].volumeMounts[${i}].name`, m.name));
      }
    }
  }
  return errs;
}

/** CONTAINERS and IMAGES cells of a pod template, as kubectl's printers join them. */
export function containerCells(spec: Obj | undefined): [string, string] {
  const cs: Obj[] = spec?.containers ?? [];
  return [cs.map((c) => c.name).join(','), cs.map((c) => c.image).join(',')];
}

/** A metav1.LabelSelector printed as kubectl prints it (`app=web,tier in (a,b)`). */
export function formatLabelSelector(sel: Obj | undefined): string {
  if (!sel) return '<none>';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) parts.push(`${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    switch (e.operator) {
      case 'In': parts.push(`${e.key} in (${(e.values ?? []).join(',')})`); break;
      case 'NotIn': parts.push(`${e.key} notin (${(e.values ?? []).join(',')})`); break;
      case 'Exists': parts.push(e.key); break;
      case 'DoesNotExist': parts.push(`!${e.key}`); break;
    }
  }
  return parts.length ? parts.join(',') : '<none>';
}
