import { isDeepStrictEqual } from 'node:util';
import { field, type FieldError } from '../../api/errors.js';
import { tableOf } from '../../table/format.js';
import { defineResource } from '../define.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const fsGroupPolicies = ['File', 'None', 'ReadWriteOnceWithFSType'];
const lifecycleModes = ['Persistent', 'Ephemeral'];

function validateSpec(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  // kube's own path spelling: "attachedRequired".
  if (spec.attachRequired === undefined) errs.push(field.required('spec.attachedRequired'));
  for (const k of ['podInfoOnMount', 'storageCapacity', 'seLinuxMount']) if (spec[k] === undefined) errs.push(field.required(`spec.${k}`));
  if (spec.fsGroupPolicy !== undefined && !fsGroupPolicies.includes(spec.fsGroupPolicy)) errs.push(field.notSupported('spec.fsGroupPolicy', spec.fsGroupPolicy, fsGroupPolicies));
  const audiences = new Set<string>();
  for (const [i, t] of ((spec.tokenRequests ?? []) as Obj[]).entries()) {
    const audience = t.audience ?? '';
    if (audiences.has(audience)) errs.push(field.duplicate(`spec.tokenRequests[${i}].audience`, audience));
    audiences.add(audience);
    const s = t.expirationSeconds;
    if (s === undefined) continue;
    if (s < 600) errs.push(field.invalid(`spec.tokenRequests[${i}].expirationSeconds`, s, 'may not specify a duration less than 10 minutes'));
    else if (s > 2 ** 32) errs.push(field.invalid(`spec.tokenRequests[${i}].expirationSeconds`, s, 'may not specify a duration larger than 2^32 seconds'));
  }
  for (const m of spec.volumeLifecycleModes ?? []) if (!lifecycleModes.includes(m)) errs.push(field.notSupported('spec.volumeLifecycleModes', m, lifecycleModes));
  const period = spec.nodeAllocatableUpdatePeriodSeconds;
  if (period !== undefined && period < 10) errs.push(field.invalid('spec.nodeAllocatableUpdatePeriodSeconds', period, 'must be greater than or equal to 10 seconds'));
  if (spec.serviceAccountTokenInSecrets !== undefined && !(spec.tokenRequests ?? []).length) {
    errs.push(field.invalid('spec.serviceAccountTokenInSecrets', spec.serviceAccountTokenInSecrets, 'serviceAccountTokenInSecrets is set but no tokenRequests are specified'));
  }
  return errs;
}

export const csidrivers = defineResource({
  group: 'storage.k8s.io', version: 'v1', kind: 'CSIDriver', resource: 'csidrivers', namespaced: false,
  strategy: {
    defaults(obj) {
      const spec = (obj.spec ??= {}) as Obj;
      spec.attachRequired ??= true;
      spec.podInfoOnMount ??= false;
      spec.storageCapacity ??= false;
      spec.fsGroupPolicy ??= 'ReadWriteOnceWithFSType';
      if (!spec.volumeLifecycleModes?.length) spec.volumeLifecycleModes = ['Persistent'];
      spec.requiresRepublish ??= false;
      spec.seLinuxMount ??= false;
    },
    validate: (obj) => validateSpec((obj.spec ?? {}) as Obj),
    validateUpdate(obj, old) {
      const spec = (obj.spec ?? {}) as Obj;
      const oldSpec = (old.spec ?? {}) as Obj;
      const errs: FieldError[] = [];
      if (!isDeepStrictEqual(spec.attachRequired, oldSpec.attachRequired)) errs.push(field.invalid('spec.attachedRequired', spec.attachRequired, 'field is immutable'));
      if (!isDeepStrictEqual(spec.volumeLifecycleModes, oldSpec.volumeLifecycleModes)) errs.push(field.invalid('spec.volumeLifecycleModes', spec.volumeLifecycleModes, 'field is immutable'));
      return errs;
    },
    table: tableOf([
      ['AttachRequired', 'boolean', 'attachRequired indicates this CSI volume driver requires an attach operation (because it implements the CSI ControllerPublishVolume() method), and that the Kubernetes attach detach controller should call the attach volume interface which checks the volumeattachment status and waits until the volume is attached before proceeding to mounting.', 0, (o: Obj) => o.spec?.attachRequired ?? true],
      ['PodInfoOnMount', 'boolean', 'podInfoOnMount indicates this CSI volume driver requires additional pod information (like podName, podUID, etc.) during mount operations, if set to true.', 0, (o: Obj) => o.spec?.podInfoOnMount ?? false],
      ['StorageCapacity', 'boolean', 'storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity that the driver deployment will report by creating CSIStorageCapacity objects with capacity information, if set to true.', 0, (o: Obj) => o.spec?.storageCapacity ?? false],
      ['TokenRequests', 'string', "tokenRequests indicates the CSI driver needs pods' service account tokens it is mounting volume for to do necessary authentication.", 0, (o: Obj) => (o.spec?.tokenRequests ? (o.spec.tokenRequests as Obj[]).map((t) => t.audience ?? '').join(',') : '<unset>')],
      ['RequiresRepublish', 'boolean', 'requiresRepublish indicates the CSI driver wants `NodePublishVolume` being periodically called to reflect any possible change in the mounted volume.', 0, (o: Obj) => o.spec?.requiresRepublish ?? false],
      ['Modes', 'string', 'volumeLifecycleModes defines what kind of volumes this CSI volume driver supports.', 0, (o: Obj) => (o.spec?.volumeLifecycleModes ?? []).join(',') || '<none>'],
    ]),
  },
});
