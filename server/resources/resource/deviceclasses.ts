import { field, type FieldError } from '../../api/errors.js';
import { tableOf } from '../../table/format.js';
import { defineResource } from '../define.js';
import { validateOpaque } from './device-requests.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

export const deviceclasses = defineResource({
  group: 'resource.k8s.io', version: 'v1', kind: 'DeviceClass', resource: 'deviceclasses', namespaced: false,
  strategy: {
    trackGeneration: true,
    defaults(obj) {
      // Both lists are omitempty in Go: an empty one reads back as absent.
      const spec = (obj.spec ?? {}) as Obj;
      for (const k of ['selectors', 'config']) if (Array.isArray(spec[k]) && !spec[k].length) delete spec[k];
    },
    validate(obj): FieldError[] {
      const spec = (obj.spec ?? {}) as Obj;
      const errs: FieldError[] = [];
      for (const [i, s] of ((spec.selectors ?? []) as Obj[]).entries()) if (!s.cel) errs.push(field.required(`spec.selectors[${i}].cel`));
      for (const [i, c] of ((spec.config ?? []) as Obj[]).entries()) errs.push(...validateOpaque(c.opaque, `spec.config[${i}].opaque`));
      return errs;
    },
    table: tableOf([]),
  },
});
