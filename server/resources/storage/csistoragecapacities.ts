import { isDeepStrictEqual } from 'node:util';
import { field, type FieldError } from '../../api/errors.js';
import { isDNS1123Subdomain } from '../../validation/names.js';
import { isNegativeQuantity } from '../../validation/quantity.js';
import { validateLabels } from '../../validation/meta.js';
import { defineResource } from '../define.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

// kube serves the default Name / Created At table for this kind: it has no printer of its own wired.
export const csistoragecapacities = defineResource({
  group: 'storage.k8s.io', version: 'v1', kind: 'CSIStorageCapacity', resource: 'csistoragecapacities', namespaced: true,
  strategy: {
    validate(obj): FieldError[] {
      const o = obj as Obj;
      const errs: FieldError[] = validateLabels(o.nodeTopology?.matchLabels, 'nodeTopology.matchLabels');
      for (const m of isDNS1123Subdomain(o.storageClassName ?? '')) errs.push(field.invalid('storageClassName', o.storageClassName ?? '', m));
      if (isNegativeQuantity(o.capacity)) errs.push(field.invalid('capacity', o.capacity, 'must be greater than or equal to 0'));
      return errs;
    },
    validateUpdate(obj, old) {
      const errs: FieldError[] = [];
      if (!isDeepStrictEqual((obj as Obj).nodeTopology, (old as Obj).nodeTopology)) errs.push(field.invalid('nodeTopology', (obj as Obj).nodeTopology, 'field is immutable'));
      if ((obj as Obj).storageClassName !== (old as Obj).storageClassName) errs.push(field.invalid('storageClassName', (obj as Obj).storageClassName, 'field is immutable'));
      return errs;
    },
  },
});
