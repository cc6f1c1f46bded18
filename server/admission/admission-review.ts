// AdmissionReview, the body of a webhook call (admission.k8s.io/v1, or v1beta1 for a webhook that
// lists only that): the request as kube's CreateAdmissionObjects fills it, and the answer checked as
// kube's VerifyAdmissionResponse checks it.
import { apiVersionOf, type KubeObject } from '../api/object.js';
import type { UserInfo } from '../authentication/user.js';
import { fromStorage, toStorage } from '../registry/encoding.js';
import type { ResourceType } from '../registry/types.js';
import type { AdmissionAttributes } from './chain.js';
import { requestNamespace } from './webhook-matching.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

/** kube-apiserver's own writes are made as its loopback user. */
const loopbackUser: UserInfo = { name: 'system:apiserver', groups: ['system:authenticated', 'system:masters'] };

/** The review version to send: the first of the webhook's that this server speaks. */
export function reviewVersion(versions: string[] | undefined): 'v1' | 'v1beta1' {
  return (versions ?? []).find((v) => v === 'v1' || v === 'v1beta1') as 'v1' | 'v1beta1' ?? 'v1';
}

/** The object as the webhook's matched resource version sees it (matchPolicy Equivalent may pick another version). */
export function toVersion(obj: KubeObject | undefined, from: ResourceType, to: ResourceType): KubeObject | undefined {
  if (!obj) return undefined;
  if (from === to) return { ...obj, apiVersion: apiVersionOf(to.group, to.version), kind: to.kind };
  const out = fromStorage(to, toStorage(from, obj));
  if (obj.metadata.resourceVersion) out.metadata.resourceVersion = obj.metadata.resourceVersion;
  return out;
}

/** AdmissionRequest.userInfo (authentication/v1 UserInfo, empty fields left out). */
function userInfo(u: UserInfo | undefined): Obj {
  const user = u ?? loopbackUser;
  const out: Obj = { username: user.name };
  if (user.uid) out.uid = user.uid;
  if (user.groups.length) out.groups = user.groups;
  if (user.extra && Object.keys(user.extra).length) out.extra = user.extra;
  return out;
}

/** The operation's options object (CreateOptions, UpdateOptions, DeleteOptions). */
function options(attrs: AdmissionAttributes): Obj | undefined {
  const kind = { CREATE: 'CreateOptions', UPDATE: 'UpdateOptions', DELETE: 'DeleteOptions' }[attrs.operation as string];
  if (!kind) return undefined;
  const o: Obj = { kind, apiVersion: 'meta.k8s.io/v1' };
  if (attrs.dryRun) o.dryRun = ['All'];
  if (kind !== 'DeleteOptions' && attrs.fieldManager) o.fieldManager = attrs.fieldManager;
  return o;
}

/** AdmissionRequest for `resource` (the request's own or an equivalent one), with the objects in its version. */
export function admissionRequest(uid: string, attrs: AdmissionAttributes, resource: ResourceType, object: KubeObject | undefined): Obj {
  const req = attrs.resource;
  const r: Obj = {
    uid,
    kind: { group: resource.group, version: resource.version, kind: resource.kind },
    resource: { group: resource.group, version: resource.version, resource: resource.resource },
    requestKind: { group: req.group, version: req.version, kind: req.kind },
    requestResource: { group: req.group, version: req.version, resource: req.resource },
    operation: attrs.operation,
    userInfo: userInfo(attrs.user),
    object: object ?? null,
    oldObject: toVersion(attrs.oldObject, req, resource) ?? null,
    dryRun: attrs.dryRun,
  };
  if (attrs.subresource) {
    r.subResource = attrs.subresource;
    r.requestSubResource = attrs.subresource;
  }
  if (attrs.name) r.name = attrs.name;
  const ns = requestNamespace(attrs);
  if (ns) r.namespace = ns;
  const opts = options(attrs);
  if (opts) r.options = opts;
  return r;
}

export function admissionReview(version: string, request: Obj): Obj {
  return { kind: 'AdmissionReview', apiVersion: `admission.k8s.io/${version}`, request };
}

export interface AdmissionResponse {
  allowed: boolean;
  /** The Status of a denial (message, reason, code). */
  result?: Obj;
  /** Decoded JSONPatch operations. */
  patch?: unknown;
  warnings: string[];
  auditAnnotations: Record<string, string>;
}

/** VerifyAdmissionResponse: the answer belongs to this request and is well-formed; throws with kube's reason. */
export function verifyResponse(uid: string, version: string, mutating: boolean, review: unknown): AdmissionResponse {
  const rv = (review ?? {}) as Obj;
  const r = rv.response as Obj | undefined;
  if (version === 'v1') {
    const gvk = (v: Obj) => {
      const [g, ver] = typeof v.apiVersion === 'string' && v.apiVersion.includes('/') ? v.apiVersion.split('/', 2) : ['', v.apiVersion ?? ''];
      return `${g}/${ver}, Kind=${v.kind ?? ''}`;
    };
    if (rv.apiVersion !== 'admission.k8s.io/v1' || rv.kind !== 'AdmissionReview') {
      throw new Error(`expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got ${gvk(rv)}`);
    }
  }
  if (!r || typeof r !== 'object') throw new Error('webhook response was absent');
  if (version === 'v1' && r.uid !== uid) throw new Error(`expected response.uid=${JSON.stringify(uid)}, got ${JSON.stringify(r.uid ?? '')}`);
  let patchType = r.patchType as string | undefined;
  const patch = r.patch as string | undefined;
  if (version === 'v1beta1' && patch && !patchType) patchType = 'JSONPatch';
  if (mutating) {
    if (patch && !patchType) throw new Error('webhook returned response.patch but not response.patchType');
    if (patchType && !patch) throw new Error('webhook returned response.patchType but not response.patch');
    if (patchType && patchType !== 'JSONPatch') throw new Error(`webhook returned invalid response.patchType of ${JSON.stringify(patchType)}`);
  } else {
    if (patch) throw new Error('validating webhook may not return response.patch');
    if (patchType) throw new Error('validating webhook may not return response.patchType');
  }
  const out: AdmissionResponse = {
    allowed: r.allowed === true, result: r.status as Obj | undefined,
    warnings: Array.isArray(r.warnings) ? r.warnings.filter((w: unknown) => typeof w === 'string') : [],
    auditAnnotations: r.auditAnnotations && typeof r.auditAnnotations === 'object' ? r.auditAnnotations as Record<string, string> : {},
  };
  if (patch) out.patch = decodePatch(patch);
  return out;
}

/** A separate failure: kube reports an undecodable patch apart from an invalid response. */
export class UndecodablePatch extends Error {}

function decodePatch(b64: string): unknown {
  try {
    return JSON.parse(Buffer.from(b64, 'base64').toString());
  } catch (e) {
    throw new UndecodablePatch((e as Error).message);
  }
}
