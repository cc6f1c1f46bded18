import { field, type FieldError } from '../../api/errors.js';
import { tableOf } from '../../table/format.js';
import { defineResource } from '../define.js';
import { statusSplit } from '../status.js';
import { accessModes, storageClassOf } from './persistentvolumes.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

export const persistentvolumeclaims = defineResource({
  group: '', version: 'v1', kind: 'PersistentVolumeClaim', resource: 'persistentvolumeclaims', namespaced: true, shortNames: ['pvc'],
  subresources: { status: true },
  strategy: {
    ...statusSplit(() => ({ phase: 'Pending' })),
    defaults(obj) {
      const spec = (obj.spec ??= {}) as Obj;
      spec.volumeMode ??= 'Filesystem';
    },
    validate(obj): FieldError[] {
      const spec = (obj.spec ?? {}) as Obj;
      const errs: FieldError[] = [];
      if (!(spec.accessModes ?? []).length) errs.push(field.required('spec.accessModes', 'at least 1 access mode is required'));
      if (!spec.resources?.requests?.storage) errs.push(field.required('spec.resources[storage]'));
      return errs;
    },
    validateUpdate(obj, old) {
      const a = structuredClone((obj.spec ?? {}) as Obj);
      const b = structuredClone((old.spec ?? {}) as Obj);
      // Only the storage request (expansion) and a few fields may change after creation.
      for (const s of [a, b]) {
        delete s.resources;
        delete s.volumeAttributesClassName;
        if (!b.volumeName) delete s.volumeName;
      }
      return JSON.stringify(a) === JSON.stringify(b) ? [] : [field.forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims')];
    },
    table: tableOf([
      ['Status', 'string', 'phase represents the current phase of PersistentVolumeClaim.', 0, (o: Obj) => o.status?.phase ?? ''],
      ['Volume', 'string', 'volumeName is the binding reference to the PersistentVolume backing this claim.', 0, (o: Obj) => o.spec?.volumeName ?? ''],
      // Capacity and access modes are the bound volume's: empty until the claim is bound.
      ['Capacity', 'string', 'capacity represents the actual resources of the underlying volume.', 0, (o: Obj) => (o.spec?.volumeName ? o.status?.capacity?.storage ?? '' : '')],
      ['Access Modes', 'string', 'accessModes contains the actual access modes the volume backing the PVC has.', 0, (o: Obj) => (o.spec?.volumeName ? accessModes(o.status?.accessModes) : '')],
      ['StorageClass', 'string', 'storageClassName is the name of the StorageClass required by the claim.', 0, (o: Obj) => storageClassOf(o)],
      ['VolumeAttributesClass', 'string', 'volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim.', 0, (o: Obj) => o.spec?.volumeAttributesClassName ?? '<unset>'],
      ['VolumeMode', 'string', 'volumeMode defines what type of volume is required by the claim.', 1, (o: Obj) => o.spec?.volumeMode ?? '<unset>'],
    ]),
  },
});
