import { isDeepStrictEqual } from 'node:util';
import { field } from '../../api/errors.js';
import { tableOf } from '../../table/format.js';
import { defineResource } from '../define.js';
import { defaultClaimSpec, validateClaimSpec } from './device-requests.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

export const resourceclaimtemplates = defineResource({
  group: 'resource.k8s.io', version: 'v1', kind: 'ResourceClaimTemplate', resource: 'resourceclaimtemplates', namespaced: true,
  strategy: {
    defaults(obj) {
      const spec = (obj.spec ??= {}) as Obj;
      // The template's ObjectMeta is a struct in Go: it reads back as {} when left out.
      spec.metadata ??= {};
      defaultClaimSpec(spec.spec);
    },
    validate: (obj) => validateClaimSpec((obj.spec as Obj | undefined)?.spec, 'spec.spec'),
    validateUpdate(obj, old) {
      return isDeepStrictEqual(obj.spec, old.spec) ? [] : [field.invalid('spec', obj.spec, 'field is immutable')];
    },
    table: tableOf([]),
  },
});
