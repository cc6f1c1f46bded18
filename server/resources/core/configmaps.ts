import { type FieldError, field } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { isConfigMapKey } from '../../validation/names.js';
import { defineResource } from '../define.js';
import { tableOf } from '../../table/format.js';

const maxTotalBytes = 1024 * 1024;

export const configmaps = defineResource({
  group: '', version: 'v1', kind: 'ConfigMap', resource: 'configmaps', namespaced: true, shortNames: ['cm'],
  strategy: {
    validate(obj: KubeObject): FieldError[] {
      const errs: FieldError[] = [];
      const data = (obj.data ?? {}) as Record<string, string>;
      const binary = (obj.binaryData ?? {}) as Record<string, string>;
      let total = 0;
      for (const [k, v] of Object.entries(data)) {
        for (const m of isConfigMapKey(k)) errs.push(field.invalid(`data[${k}]`, k, m));
        if (Object.hasOwn(binary, k)) errs.push(field.invalid(`data[${k}]`, k, 'duplicate of key present in binaryData'));
        total += typeof v === 'string' ? Buffer.byteLength(v) : 0;
      }
      for (const [k, v] of Object.entries(binary)) {
        for (const m of isConfigMapKey(k)) errs.push(field.invalid(`binaryData[${k}]`, k, m));
        total += typeof v === 'string' ? Math.floor((v.length * 3) / 4) : 0;
      }
      if (total > maxTotalBytes) errs.push(field.tooLong('', '', maxTotalBytes));
      return errs;
    },
    validateUpdate(obj, old) {
      if (old.immutable === true) {
        const same = JSON.stringify([obj.data, obj.binaryData]) === JSON.stringify([old.data, old.binaryData]);
        const errs: FieldError[] = [];
        if (!same) errs.push(field.forbidden('data', 'field is immutable when `immutable` is set'));
        if (obj.immutable !== true) errs.push(field.forbidden('immutable', 'field is immutable when `immutable` is set'));
        return errs;
      }
      return [];
    },
    table: tableOf([
      ['Data', 'integer', 'Number of data entries', 0, (o) => Object.keys(o.data ?? {}).length + Object.keys(o.binaryData ?? {}).length],
    ]),
  },
});
