import { isDeepStrictEqual } from 'node:util';
import { field, type FieldError } from '../../api/errors.js';
import { tableOf } from '../../table/format.js';
import { defineResource } from '../define.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const maxParameters = 512;
const maxParametersSize = 256 * 1024;

function validateParameters(params: Record<string, string> | undefined): FieldError[] {
  const entries = Object.entries(params ?? {});
  if (entries.length > maxParameters) return [field.tooLong('parameters', '', maxParameters)];
  const errs: FieldError[] = [];
  for (const [k] of entries) if (!k) errs.push(field.invalid('parameters', k, 'field can not be empty.'));
  if (entries.reduce((n, [k, v]) => n + k.length + v.length, 0) > maxParametersSize) errs.push(field.tooLong('parameters', '', maxParametersSize));
  if (!entries.length) errs.push(field.required('parameters', 'must contain at least one key/value pair'));
  return errs;
}

export const volumeattributesclasses = defineResource({
  group: 'storage.k8s.io', version: 'v1', kind: 'VolumeAttributesClass', resource: 'volumeattributesclasses', namespaced: false, shortNames: ['vac'],
  // kube-apiserver 1.35 still stores this kind as v1beta1 (same fields), which its storageVersionHash shows.
  storageVersion: 'storage.k8s.io/v1beta1',
  strategy: {
    validate(obj): FieldError[] {
      const o = obj as Obj;
      return [...(o.driverName ? [] : [field.required('driverName')]), ...validateParameters(o.parameters)];
    },
    validateUpdate(obj, old) {
      const errs: FieldError[] = [];
      if ((obj as Obj).driverName !== (old as Obj).driverName) errs.push(field.forbidden('driverName', 'updates to driverName are forbidden.'));
      if (!isDeepStrictEqual((obj as Obj).parameters ?? {}, (old as Obj).parameters ?? {})) errs.push(field.forbidden('parameters', 'updates to parameters are forbidden.'));
      return errs;
    },
    table: tableOf([['DriverName', 'string', 'Name of the CSI driver This field is immutable.', 0, (o: Obj) => o.driverName ?? '']]),
  },
});
