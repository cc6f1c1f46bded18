// certificates.k8s.io/v1 CertificateSigningRequest, as kube's registry/certificates: the requester's
// identity comes from the request, never the body; the main resource changes metadata only, /status
// sets the certificate (and conditions other than approval), /approval sets Approved or Denied.
import type { KubeObject } from '../../api/object.js';
import { type UpdateKind, validateCreate, validateUpdate } from '../../certificates/validation.js';
import type { SubresourceStrategy } from '../../registry/subresources/storage.js';
import { humanDuration, orNone, tableOf } from '../../table/format.js';
import { defineResource } from '../define.js';
import { nowTimestamp } from '../../registry/meta.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const conditionsOf = (o: KubeObject): Obj[] => ((o.status as Obj | undefined)?.conditions ?? []) as Obj[];

/** kube's populateConditionTimestamps: a new condition is stamped now; an unchanged type and status keeps its transition time. */
function stampConditions(obj: KubeObject, old: KubeObject): void {
  const now = nowTimestamp();
  for (const c of conditionsOf(obj)) {
    c.lastUpdateTime ||= now;
    if (!c.lastTransitionTime) {
      const same = conditionsOf(old).find((o) => o.type === c.type && o.status === c.status && o.lastTransitionTime);
      c.lastTransitionTime = same?.lastTransitionTime ?? now;
    }
  }
}

/** kube's preserveConditionInstances: conditions of this type stay as stored when their count did not change. */
function preserveConditions(obj: KubeObject, old: KubeObject, type: string): void {
  const before = conditionsOf(old).filter((c) => c.type === type);
  const now = conditionsOf(obj);
  const at = now.flatMap((c, i) => (c.type === type ? [i] : []));
  if (at.length !== before.length) return;
  at.forEach((idx, i) => { now[idx] = before[i]; });
}

function subresource(kind: UpdateKind, prepare: (obj: KubeObject, old: KubeObject) => void): SubresourceStrategy {
  return { prepareForUpdate: prepare, validateUpdate: (obj, old) => validateUpdate(obj, old, kind) };
}

/** CSR /status (kube's csrStatusStrategy): spec as stored, approval conditions as stored. */
const statusStrategy = subresource('status', (obj, old) => {
  obj.spec = old.spec;
  if (obj.status && (obj.status as Obj).conditions) {
    preserveConditions(obj, old, 'Approved');
    preserveConditions(obj, old, 'Denied');
  }
  stampConditions(obj, old);
});

/** CSR /approval (kube's csrApprovalStrategy): only the conditions change; spec and certificate stay as stored. */
const approvalStrategy = subresource('approval', (obj, old) => {
  stampConditions(obj, old);
  const conditions = (obj.status as Obj | undefined)?.conditions;
  obj.spec = old.spec;
  obj.status = { ...((old.status as Obj | undefined) ?? {}) };
  if (conditions !== undefined) (obj.status as Obj).conditions = conditions;
  else delete (obj.status as Obj).conditions;
});

/** kube's extractCSRStatus, in order of precedence. */
function condition(o: Obj): string {
  const types = new Set(conditionsOf(o as KubeObject).map((c) => c.type));
  let s = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) s += ',Failed';
  if (o.status?.certificate) s += ',Issued';
  return s;
}

export const certificatesigningrequests = defineResource({
  group: 'certificates.k8s.io', version: 'v1', kind: 'CertificateSigningRequest', resource: 'certificatesigningrequests', namespaced: false,
  shortNames: ['csr'],
  subresources: { status: true, others: [{ name: 'approval', kind: { group: 'certificates.k8s.io', version: 'v1', kind: 'CertificateSigningRequest' }, verbs: ['get', 'patch', 'update'] }] },
  strategy: {
    // The requester is who sends the create (the registry fills it in beforeCreate, from the request's user).
    prepareForCreate(obj) {
      const spec = (obj.spec ?? {}) as Obj;
      delete spec.username; delete spec.uid; delete spec.groups; delete spec.extra;
      obj.status = {};
    },
    async beforeCreate(obj, ctx) {
      const spec = (obj.spec ?? {}) as Obj;
      const user = ctx.user;
      if (!user) return;
      if (user.name) spec.username = user.name;
      if (user.uid) spec.uid = user.uid;
      if (user.groups.length) spec.groups = [...user.groups];
      if (user.extra && Object.keys(user.extra).length) spec.extra = structuredClone(user.extra);
    },
    prepareForUpdate(obj, old) {
      obj.spec = old.spec;
      if (old.status === undefined) delete obj.status;
      else obj.status = old.status;
    },
    // kube's Validate is for creates; an update's spec and status are as stored (main resource) or
    // checked whole by the subresource's validateUpdate, which reports every error at once as kube does.
    validate: (obj, old) => (old ? [] : validateCreate(obj)),
    selectableFields: { 'spec.signerName': (o) => String((o.spec as Obj | undefined)?.signerName ?? '') },
    subresourceStrategies: { status: statusStrategy, approval: approvalStrategy },
    table: tableOf([
      ['SignerName', 'string', 'Requested signer for the request. It is a qualified name in the form: `scope-hostname.io/name`. If empty, it will be defaulted:\n 1. If it\'s a kubelet client certificate, it is assigned\n    "kubernetes.io/kube-apiserver-client-kubelet".\n 2. If it\'s a kubelet serving certificate, it is assigned\n    "kubernetes.io/kubelet-serving".\n 3. Otherwise, it is assigned "kubernetes.io/legacy-unknown".\nDistribution of trust for signers happens out of band. You can select on this field using `spec.signerName`.', 0, (o: Obj) => orNone(o.spec?.signerName)],
      ['Requestor', 'string', 'Base64-encoded PKCS#10 CSR data', 0, (o: Obj) => o.spec?.username ?? ''],
      ['RequestedDuration', 'string', 'expirationSeconds is the requested duration of validity of the issued certificate. The certificate signer may issue a certificate with a different validity duration so a client must check the delta between the notBefore and and notAfter fields in the issued certificate to determine the actual duration.\n\nThe v1.22+ in-tree implementations of the well-known Kubernetes signers will honor this field as long as the requested duration is not greater than the maximum duration they will honor per the --cluster-signing-duration CLI flag to the Kubernetes controller manager.\n\nCertificate signers may not honor this field for various reasons:\n\n  1. Old signer that is unaware of the field (such as the in-tree\n     implementations prior to v1.22)\n  2. Signer whose configured maximum is shorter than the requested duration\n  3. Signer whose configured minimum is longer than the requested duration\n\nThe minimum valid value for expirationSeconds is 600, i.e. 10 minutes.', 0,
        (o: Obj) => (typeof o.spec?.expirationSeconds === 'number' ? humanDuration(o.spec.expirationSeconds * 1000) : '<none>')],
      ['Condition', 'string', 'Conditions applied to the request, such as approval or denial.', 0, (o: Obj) => condition(o)],
    ], { ageAt: 0 }),
  },
});
