import { isDeepStrictEqual } from 'node:util';
import { field, type FieldError } from '../../api/errors.js';
import { age } from '../../table/format.js';
import { column } from '../../table/types.js';
import { isDNS1123Subdomain } from '../../validation/names.js';
import { defineResource } from '../define.js';
import { statusSplit } from '../status.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const maxMetadataSize = 256 * 1024;

function validateSpec(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  if (!spec.attacher) errs.push(field.required('spec.attacher'));
  const source = (spec.source ?? {}) as Obj;
  const pv = source.persistentVolumeName;
  if (source.inlineVolumeSpec === undefined && pv === undefined) errs.push(field.required('spec.source', 'must specify exactly one of inlineVolumeSpec and persistentVolumeName'));
  else if (source.inlineVolumeSpec !== undefined && pv !== undefined) errs.push(field.forbidden('spec.source', 'must specify exactly one of inlineVolumeSpec and persistentVolumeName'));
  else if (pv === '') errs.push(field.required('spec.source.persistentVolumeName', 'must specify non empty persistentVolumeName'));
  for (const m of isDNS1123Subdomain(spec.nodeName ?? '')) errs.push(field.invalid('spec.nodeName', spec.nodeName ?? '', m));
  // v1 adds: the attacher is a CSI driver name, the PV a PV name.
  if (spec.attacher) for (const m of isDNS1123Subdomain(spec.attacher)) errs.push(field.invalid('spec.attacher', spec.attacher, m));
  if (pv !== undefined) for (const m of isDNS1123Subdomain(pv)) errs.push(field.invalid('spec.source.persistentVolumeName', pv, m));
  return errs;
}

function validateStatus(status: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const size = Object.entries((status.attachmentMetadata ?? {}) as Record<string, string>).reduce((n, [k, v]) => n + k.length + v.length, 0);
  if (size > maxMetadataSize) errs.push(field.tooLong('status.attachmentMetadata', '', maxMetadataSize));
  for (const which of ['attachError', 'detachError']) {
    const e = status[which] as Obj | undefined;
    if (e?.message && e.message.length > maxMetadataSize) errs.push(field.tooLong(`status.${which}.message`, '', maxMetadataSize));
    if (e?.errorCode !== undefined && (e.errorCode < 0 || e.errorCode > 2147483647)) errs.push(field.invalid(`status.${which}.errorCode`, e.errorCode, 'must be between 0 and 2147483647, inclusive'));
  }
  return errs;
}

export const volumeattachments = defineResource({
  group: 'storage.k8s.io', version: 'v1', kind: 'VolumeAttachment', resource: 'volumeattachments', namespaced: false,
  subresources: { status: true },
  strategy: {
    // status.attached is not omitempty: a new attachment reads attached: false.
    ...statusSplit(() => ({ attached: false })),
    validate: (obj) => [...validateSpec((obj.spec ?? {}) as Obj), ...validateStatus((obj.status ?? {}) as Obj)],
    validateUpdate(obj, old) {
      if (isDeepStrictEqual(obj.spec, old.spec)) return [];
      // kube prints the internal Go struct of the new spec.
      const spec = (obj.spec ?? {}) as Obj;
      const goSpec = { Attacher: spec.attacher ?? '', Source: { PersistentVolumeName: spec.source?.persistentVolumeName ?? null, InlineVolumeSpec: spec.source?.inlineVolumeSpec ?? null }, NodeName: spec.nodeName ?? '' };
      return [field.invalid('spec', goSpec, 'field is immutable')];
    },
    table: {
      columns: [
        column('Name', 'string', 'Name must be unique within a namespace.', 0, 'name'),
        column('Attacher', 'string', 'attacher indicates the name of the volume driver that MUST handle this request. This is the name returned by GetPluginName().', 0, 'name'),
        column('PV', 'string', 'persistentVolumeName represents the name of the persistent volume to attach.'),
        column('Node', 'string', 'nodeName represents the node that the volume should be attached to.'),
        column('Attached', 'boolean', 'attached indicates the volume is successfully attached. This field must only be set by the entity completing the attach operation, i.e. the external-attacher.'),
        column('Age', 'string', 'CreationTimestamp is a timestamp representing the server time when this object was created.'),
      ],
      cells: (o, now) => {
        const spec = (o.spec ?? {}) as Obj;
        return [o.metadata.name, spec.attacher ?? '', spec.source?.persistentVolumeName ?? '', spec.nodeName ?? '', Boolean((o.status as Obj | undefined)?.attached), age(o, now)];
      },
    },
  },
});
