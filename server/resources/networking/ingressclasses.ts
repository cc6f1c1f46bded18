import { field, type FieldError } from '../../api/errors.js';
import { tableOf } from '../../table/format.js';
import { defineResource } from '../define.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

export const ingressclasses = defineResource({
  group: 'networking.k8s.io', version: 'v1', kind: 'IngressClass', resource: 'ingressclasses', namespaced: false,
  strategy: {
    trackGeneration: true,
    validate(obj): FieldError[] {
      const c = (obj.spec as Obj | undefined)?.controller;
      if (!c) return [field.required('spec.controller')];
      if (c.length > 250) return [field.tooLong('spec.controller', c, 250)];
      return [];
    },
    validateUpdate(obj, old) {
      return (obj.spec as Obj)?.controller === (old.spec as Obj)?.controller ? [] : [field.invalid('spec.controller', (obj.spec as Obj)?.controller, 'field is immutable')];
    },
    table: tableOf([
      ['Controller', 'string', 'Controller that is responsible for handling this class', 0, (o: Obj) => o.spec?.controller ?? ''],
      ['Parameters', 'string', 'A reference to a resource with additional parameters', 0, (o: Obj) => {
        const p = o.spec?.parameters;
        if (!p) return '<none>';
        return `${p.kind}${p.apiGroup !== undefined ? `.${p.apiGroup}` : ''}/${p.name}`;
      }],
    ]),
  },
});
