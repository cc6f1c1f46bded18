// CertificateSigningRequest validation, as kube's pkg/apis/certificates/validation: the request must
// parse and be signed by its key, usages known, signerName well-formed, conditions consistent, and
// updates may touch approval conditions only through /approval and the certificate only through /status.
import { type FieldError, field } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import { isDNS1123Label, isDNS1123Subdomain } from '../validation/names.js';
import { bytesOf, certificateError, parseRequest } from './request.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

export const legacyUnknownSignerName = 'kubernetes.io/legacy-unknown';

export const validUsages = [
  'any', 'cert sign', 'client auth', 'code signing', 'content commitment', 'crl sign', 'data encipherment', 'decipher only',
  'digital signature', 'email protection', 'encipher only', 'ipsec end system', 'ipsec tunnel', 'ipsec user', 'key agreement',
  'key encipherment', 'microsoft sgc', 'netscape sgc', 'ocsp signing', 's/mime', 'server auth', 'signing', 'timestamping',
];
const trueOnlyConditions = new Set(['Approved', 'Denied', 'Failed']);

interface Options {
  allowSettingApprovalConditions: boolean;
  allowSettingCertificate: boolean;
  allowBothApprovedAndDenied: boolean;
  allowLegacySignerName: boolean;
  allowDuplicateConditionTypes: boolean;
  allowEmptyConditionType: boolean;
  allowArbitraryCertificate: boolean;
  allowUnknownUsages: boolean;
  allowDuplicateUsages: boolean;
}

const spec = (o: KubeObject): Obj => (o.spec ?? {}) as Obj;
const conditions = (o: KubeObject): Obj[] => ((o.status as Obj | undefined)?.conditions ?? []) as Obj[];
const certificate = (o: KubeObject | undefined): string => ((o?.status as Obj | undefined)?.certificate ?? '') as string;

/** Old data that broke today's rules keeps being accepted on update (kube's getValidationOptions). */
function options(obj: KubeObject, old?: KubeObject): Options {
  const types = old ? conditions(old).map((c) => String(c.type ?? '')) : [];
  const usages = old ? ((spec(old).usages ?? []) as string[]) : [];
  return {
    allowSettingApprovalConditions: false,
    allowSettingCertificate: false,
    allowBothApprovedAndDenied: types.includes('Approved') && types.includes('Denied'),
    allowLegacySignerName: Boolean(old) && spec(old!).signerName === legacyUnknownSignerName,
    allowDuplicateConditionTypes: new Set(types).size !== types.length,
    allowEmptyConditionType: types.includes(''),
    allowArbitraryCertificate: Boolean(old) && (certificate(obj) === certificate(old) || certificateError(bytesOf(certificate(old))) !== undefined),
    allowUnknownUsages: usages.some((u) => !validUsages.includes(u)),
    allowDuplicateUsages: false,
  };
}

/** kube's ValidateSignerName. */
export function validateSignerName(path: string, signerName: unknown): FieldError[] {
  const name = typeof signerName === 'string' ? signerName : '';
  if (!name) return [field.required(path)];
  const segments = name.split('/');
  if (segments.length !== 2) return [field.invalid(path, name, "must be a fully qualified domain and path of the form 'example.com/signer-name'")];
  const errs: FieldError[] = [];
  const [domain, rest] = segments;
  if (domain.length > 253) errs.push(field.tooLong(path, '', 253));
  const labels = domain.split('.');
  for (const lbl of labels) {
    const msgs = isDNS1123Label(lbl);
    for (const m of msgs) errs.push(field.invalid(path, domain, `validating label "${lbl}": ${m}`));
    if (msgs.length) break;
  }
  if (labels.length < 2) errs.push(field.invalid(path, domain, 'should be a domain with at least two segments separated by dots'));
  for (const lbl of rest.split('.')) {
    const msgs = isDNS1123Subdomain(lbl);
    for (const m of msgs) errs.push(field.invalid(path, rest, `validating label "${lbl}": ${m}`));
    if (msgs.length) break;
  }
  return errs;
}

function validateObject(obj: KubeObject, opts: Options): FieldError[] {
  const errs: FieldError[] = [];
  const s = spec(obj);
  try {
    parseRequest(bytesOf(s.request));
  } catch (e) {
    errs.push(field.invalid('spec.request', s.request ?? '', (e as Error).message));
  }
  const usages = (s.usages ?? []) as string[];
  if (usages.length === 0) errs.push(field.required('spec.usages'));
  if (!opts.allowUnknownUsages) {
    usages.forEach((u, i) => { if (!validUsages.includes(u)) errs.push(field.notSupported(`spec.usages[${i}]`, u, validUsages)); });
  }
  if (!opts.allowDuplicateUsages) {
    usages.forEach((u, i) => { if (usages.indexOf(u) !== i) errs.push(field.duplicate(`spec.usages[${i}]`, u)); });
  }
  if (!opts.allowLegacySignerName && s.signerName === legacyUnknownSignerName) {
    errs.push(field.invalid('spec.signerName', s.signerName, 'the legacy signerName is not allowed via this API version'));
  } else {
    errs.push(...validateSignerName('spec.signerName', s.signerName));
  }
  if (typeof s.expirationSeconds === 'number' && s.expirationSeconds < 600) {
    errs.push(field.invalid('spec.expirationSeconds', s.expirationSeconds, 'may not specify a duration less than 600 seconds (10 minutes)'));
  }
  errs.push(...validateConditions(obj, opts));
  if (!opts.allowArbitraryCertificate) {
    const err = certificateError(bytesOf(certificate(obj)));
    if (err) errs.push(field.invalid('status.certificate', '<certificate data>', err));
  }
  return errs;
}

function validateConditions(obj: KubeObject, opts: Options): FieldError[] {
  const errs: FieldError[] = [];
  const path = 'status.conditions';
  const seen = new Set<string>();
  let approved = false;
  let denied = false;
  conditions(obj).forEach((c, i) => {
    const type = String(c.type ?? '');
    if (!opts.allowEmptyConditionType && !type) errs.push(field.required(`${path}[${i}].type`));
    const allowed = trueOnlyConditions.has(type) ? ['True'] : ['False', 'True', 'Unknown'];
    if (!c.status) errs.push(field.required(`${path}[${i}].status`));
    else if (!allowed.includes(c.status)) errs.push(field.notSupported(`${path}[${i}].status`, c.status, allowed));
    if (!opts.allowBothApprovedAndDenied) {
      if (type === 'Approved') {
        approved = true;
        if (denied) errs.push(field.invalid(path, type, 'Approved and Denied conditions are mutually exclusive'));
      } else if (type === 'Denied') {
        denied = true;
        if (approved) errs.push(field.invalid(path, type, 'Approved and Denied conditions are mutually exclusive'));
      }
    }
    if (!opts.allowDuplicateConditionTypes) {
      if (seen.has(type)) errs.push(field.duplicate(`${path}[${i}].type`, type));
      seen.add(type);
    }
  });
  return errs;
}

export function validateCreate(obj: KubeObject): FieldError[] {
  return validateObject(obj, options(obj));
}

export type UpdateKind = 'main' | 'status' | 'approval';

/** kube's ValidateCertificateSigningRequest{,Status,Approval}Update (metadata is checked by the generic store). */
export function validateUpdate(obj: KubeObject, old: KubeObject, kind: UpdateKind): FieldError[] {
  const opts = options(obj, old);
  opts.allowSettingCertificate = kind === 'status';
  opts.allowSettingApprovalConditions = kind === 'approval';
  const errs = validateObject(obj, opts);
  const ofType = (o: KubeObject, t: string) => conditions(o).filter((c) => c.type === t);
  for (const t of ['Approved', 'Denied', 'Failed']) {
    if (ofType(obj, t).length < ofType(old, t).length) errs.push(field.forbidden('status.conditions', `updates may not remove a condition of type "${t}"`));
  }
  if (!opts.allowSettingApprovalConditions) {
    for (const t of ['Approved', 'Denied']) {
      const before = ofType(old, t);
      const after = ofType(obj, t);
      if (after.length > before.length) errs.push(field.forbidden('status.conditions', `updates may not add a condition of type "${t}"`));
      else if (after.length === before.length && JSON.stringify(after) !== JSON.stringify(before)) {
        errs.push(field.forbidden('status.conditions', `updates may not modify a condition of type "${t}"`));
      }
    }
  }
  if (certificate(obj) !== certificate(old)) {
    if (!opts.allowSettingCertificate) errs.push(field.forbidden('status.certificate', 'updates may not set certificate content'));
    else if (certificate(old)) errs.push(field.forbidden('status.certificate', 'updates may not modify existing certificate content'));
  }
  return errs;
}
