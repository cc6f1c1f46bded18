import { field, type FieldError } from '../../api/errors.js';
import { tableOf } from '../../table/format.js';
import { defineResource } from '../define.js';
import { statusSplit } from '../status.js';
import { nowTimestamp } from '../../registry/store.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const modeShort: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };
export const accessModes = (modes: string[] | undefined): string => (modes ?? []).map((m) => modeShort[m] ?? m).join(',');
const accessModeValues = Object.keys(modeShort);

/** The storage class, the beta annotation first, as kube's helpers read it. */
export const storageClassOf = (o: Obj): string => o.metadata?.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? o.spec?.storageClassName ?? '';

export const persistentvolumes = defineResource({
  group: '', version: 'v1', kind: 'PersistentVolume', resource: 'persistentvolumes', namespaced: false, shortNames: ['pv'],
  subresources: { status: true },
  strategy: {
    ...statusSplit(() => ({ phase: 'Pending', lastPhaseTransitionTime: nowTimestamp() })),
    defaults(obj) {
      const spec = (obj.spec ??= {}) as Obj;
      spec.persistentVolumeReclaimPolicy ??= 'Retain';
      spec.volumeMode ??= 'Filesystem';
    },
    validate(obj): FieldError[] {
      const spec = (obj.spec ?? {}) as Obj;
      const errs: FieldError[] = [];
      if (!(spec.accessModes ?? []).length) errs.push(field.required('spec.accessModes'));
      for (const m of spec.accessModes ?? []) if (!accessModeValues.includes(m)) errs.push(field.notSupported('spec.accessModes', m, accessModeValues));
      if (!spec.capacity?.storage) errs.push(field.required('spec.capacity'));
      return errs;
    },
    table: tableOf([
      ['Capacity', 'string', 'capacity is the description of the persistent volume\'s resources and capacity.', 0, (o: Obj) => o.spec?.capacity?.storage ?? ''],
      ['Access Modes', 'string', 'accessModes contains all ways the volume can be mounted.', 0, (o: Obj) => accessModes(o.spec?.accessModes)],
      ['Reclaim Policy', 'string', 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.', 0, (o: Obj) => o.spec?.persistentVolumeReclaimPolicy ?? ''],
      ['Status', 'string', 'phase indicates if a volume is available, bound to a claim, or released by a claim.', 0, (o: Obj) => o.status?.phase ?? ''],
      ['Claim', 'string', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.', 0, (o: Obj) => (o.spec?.claimRef ? `${o.spec.claimRef.namespace}/${o.spec.claimRef.name}` : '')],
      ['StorageClass', 'string', 'storageClassName is the name of StorageClass to which this persistent volume belongs.', 0, storageClassOf],
      ['VolumeAttributesClass', 'string', 'Name of VolumeAttributesClass to which this persistent volume belongs.', 0, (o: Obj) => o.spec?.volumeAttributesClassName ?? '<unset>'],
      ['Reason', 'string', 'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.', 0, (o: Obj) => o.status?.reason ?? ''],
      ['VolumeMode', 'string', 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.', 1, (o: Obj) => o.spec?.volumeMode ?? '<unset>'],
    ]),
  },
});
