import { field, type FieldError } from '../../api/errors.js';
import { column } from '../../table/types.js';
import { age } from '../../table/format.js';
import { defineResource } from '../define.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const isDefault = (o: Obj) => ['storageclass.kubernetes.io/is-default-class', 'storageclass.beta.kubernetes.io/is-default-class'].some((a) => o.metadata?.annotations?.[a] === 'true');

export const storageclasses = defineResource({
  group: 'storage.k8s.io', version: 'v1', kind: 'StorageClass', resource: 'storageclasses', namespaced: false, shortNames: ['sc'],
  strategy: {
    defaults(obj) {
      obj.reclaimPolicy ??= 'Delete';
      obj.volumeBindingMode ??= 'Immediate';
    },
    validate(obj): FieldError[] {
      const errs: FieldError[] = [];
      if (!obj.provisioner) errs.push(field.required('provisioner'));
      if (!['Delete', 'Retain'].includes(obj.reclaimPolicy as string)) errs.push(field.notSupported('reclaimPolicy', obj.reclaimPolicy, ['Delete', 'Retain']));
      if (!['Immediate', 'WaitForFirstConsumer'].includes(obj.volumeBindingMode as string)) errs.push(field.notSupported('volumeBindingMode', obj.volumeBindingMode, ['Immediate', 'WaitForFirstConsumer']));
      return errs;
    },
    validateUpdate(obj, old) {
      const errs: FieldError[] = [];
      for (const k of ['provisioner', 'parameters', 'reclaimPolicy']) {
        if (JSON.stringify(obj[k]) !== JSON.stringify(old[k])) errs.push(field.forbidden(k, `updates to ${k} are forbidden.`));
      }
      if (obj.volumeBindingMode !== old.volumeBindingMode) errs.push(field.invalid('volumeBindingMode', obj.volumeBindingMode, 'field is immutable'));
      return errs;
    },
    table: {
      columns: [
        column('Name', 'string', 'Name must be unique within a namespace.', 0, 'name'),
        column('Provisioner', 'string', 'Indicates the type of the provisioner.'),
        column('ReclaimPolicy', 'string', 'Dynamically provisioned PersistentVolumes of this storage class are created with this reclaimPolicy.'),
        column('VolumeBindingMode', 'string', 'VolumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.'),
        column('AllowVolumeExpansion', 'string', 'AllowVolumeExpansion shows whether the storage class allow volume expand.'),
        column('Age', 'string', 'CreationTimestamp is a timestamp representing the server time when this object was created.'),
      ],
      cells: (o, now) => {
        const sc = o as Obj;
        return [isDefault(sc) ? `${o.metadata.name} (default)` : o.metadata.name, sc.provisioner ?? '', sc.reclaimPolicy ?? 'Delete', sc.volumeBindingMode ?? 'Immediate', Boolean(sc.allowVolumeExpansion), age(o, now)];
      },
    },
  },
});
