// What ResourceClaims and ResourceClaimTemplates share: the device request spec, its defaults and kube's rules for it.
import { field, type FieldError } from '../../api/errors.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../../validation/names.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const allocationModes = ['All', 'ExactCount'];

/** kube's SetDefaults_ExactDeviceRequest and SetDefaults_DeviceSubRequest. */
function defaultRequest(r: Obj | undefined): void {
  if (!r) return;
  r.allocationMode ||= 'ExactCount';
  if (r.allocationMode === 'ExactCount' && !r.count) r.count = 1;
}

export function defaultClaimSpec(spec: Obj | undefined): void {
  for (const r of (spec?.devices?.requests ?? []) as Obj[]) {
    defaultRequest(r.exactly);
    for (const sub of (r.firstAvailable ?? []) as Obj[]) defaultRequest(sub);
  }
}

/** deviceClassName, allocationMode and count, as an exact request and a subrequest both have them. */
function validateExact(r: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!r.deviceClassName) errs.push(field.required(`${path}.deviceClassName`));
  else for (const m of isDNS1123Subdomain(r.deviceClassName)) errs.push(field.invalid(`${path}.deviceClassName`, r.deviceClassName, m));
  if (r.allocationMode === 'All') {
    if (r.count) errs.push(field.invalid(`${path}.count`, r.count, "must not be specified when allocationMode is 'All'"));
  } else if (r.allocationMode === 'ExactCount') {
    if (!(r.count > 0)) errs.push(field.invalid(`${path}.count`, r.count ?? 0, 'must be greater than zero'));
  } else {
    errs.push(field.notSupported(`${path}.allocationMode`, r.allocationMode ?? '', allocationModes));
  }
  for (const [i, s] of ((r.selectors ?? []) as Obj[]).entries()) if (!s.cel) errs.push(field.required(`${path}.selectors[${i}].cel`));
  return errs;
}

function validateRequest(r: Obj, path: string): FieldError[] {
  const errs: FieldError[] = isDNS1123Label(r.name ?? '').map((m) => field.invalid(`${path}.name`, r.name ?? '', m));
  const hasExact = r.exactly !== undefined && r.exactly !== null;
  const hasFirst = (r.firstAvailable ?? []).length > 0;
  if (hasExact && hasFirst) errs.push(field.invalid(path, null, 'exactly one of `exactly` or `firstAvailable` is required, but multiple fields are set'));
  else if (!hasExact && !hasFirst) errs.push(field.required(path, 'exactly one of `exactly` or `firstAvailable` is required'));
  else if (hasExact) errs.push(...validateExact(r.exactly, `${path}.exactly`));
  else {
    const names = new Set<string>();
    for (const [i, sub] of (r.firstAvailable as Obj[]).entries()) {
      const p = `${path}.firstAvailable[${i}]`;
      for (const m of isDNS1123Label(sub.name ?? '')) errs.push(field.invalid(`${p}.name`, sub.name ?? '', m));
      errs.push(...validateExact(sub, p));
      if (names.has(sub.name)) errs.push(field.duplicate(p, sub.name));
      names.add(sub.name);
    }
  }
  return errs;
}

/** References from constraints and config: a request, or request/subrequest. */
function validateRequestRefs(refs: string[] | undefined, path: string, known: Map<string, Set<string>>): FieldError[] {
  const errs: FieldError[] = [];
  for (const [i, ref] of (refs ?? []).entries()) {
    const [req, sub, extra] = ref.split('/');
    const ok = extra === undefined && known.has(req) && (sub === undefined || known.get(req)!.has(sub));
    if (!ok) errs.push(field.invalid(`${path}[${i}]`, ref, "must be the name of a request in the claim or the name of a request and a subrequest separated by '/'"));
  }
  return errs;
}

/** kube's validateResourceClaimSpec for `path` (spec, or spec.spec in a template): the important rules. */
export function validateClaimSpec(spec: Obj | undefined, path: string): FieldError[] {
  const devices = (spec?.devices ?? {}) as Obj;
  const errs: FieldError[] = [];
  const known = new Map<string, Set<string>>();
  for (const [i, r] of ((devices.requests ?? []) as Obj[]).entries()) {
    const p = `${path}.devices.requests[${i}]`;
    errs.push(...validateRequest(r, p));
    if (known.has(r.name)) errs.push(field.duplicate(p, r.name));
    known.set(r.name, new Set(((r.firstAvailable ?? []) as Obj[]).map((s) => s.name)));
  }
  for (const [i, c] of ((devices.constraints ?? []) as Obj[]).entries()) {
    const p = `${path}.devices.constraints[${i}]`;
    errs.push(...validateRequestRefs(c.requests, `${p}.requests`, known));
    if (c.matchAttribute !== undefined && !/^[^/]+\/[^/]+$/.test(c.matchAttribute)) errs.push(field.invalid(`${p}.matchAttribute`, c.matchAttribute, 'a fully qualified name must be a domain and a name separated by a slash'));
  }
  for (const [i, c] of ((devices.config ?? []) as Obj[]).entries()) {
    const p = `${path}.devices.config[${i}]`;
    errs.push(...validateRequestRefs(c.requests, `${p}.requests`, known));
    errs.push(...validateOpaque(c.opaque, `${p}.opaque`));
  }
  return errs;
}

/** Opaque driver configuration, in claims and in device classes. */
export function validateOpaque(opaque: Obj | undefined, path: string): FieldError[] {
  if (!opaque) return [];
  if (!opaque.driver) return [field.required(`${path}.driver`)];
  return isDNS1123Subdomain(opaque.driver).map((m) => field.invalid(`${path}.driver`, opaque.driver, m));
}
