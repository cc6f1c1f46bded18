import { field, type FieldError } from '../../api/errors.js';
import { tableOf } from '../../table/format.js';
import { formatLabelSelector } from '../core/pod-spec.js';
import { defineResource } from '../define.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const policyTypes = ['Ingress', 'Egress'];

export const networkpolicies = defineResource({
  group: 'networking.k8s.io', version: 'v1', kind: 'NetworkPolicy', resource: 'networkpolicies', namespaced: true, shortNames: ['netpol'],
  strategy: {
    trackGeneration: true,
    defaults(obj) {
      const spec = (obj.spec ??= {}) as Obj;
      spec.podSelector ??= {};
      // Every policy is at least an Ingress policy; one with egress rules is an Egress policy too.
      if (!spec.policyTypes?.length) spec.policyTypes = (spec.egress ?? []).length ? ['Ingress', 'Egress'] : ['Ingress'];
      for (const r of [...(spec.ingress ?? []), ...(spec.egress ?? [])]) for (const p of r.ports ?? []) p.protocol ??= 'TCP';
    },
    validate(obj): FieldError[] {
      const errs: FieldError[] = [];
      const types: string[] = (obj.spec as Obj)?.policyTypes ?? [];
      for (const [i, t] of types.entries()) if (!policyTypes.includes(t)) errs.push(field.notSupported(`spec.policyTypes[${i}]`, t, policyTypes));
      if (types.length > 2) errs.push(field.invalid('spec.policyTypes', types, 'may not specify more than two policyTypes'));
      return errs;
    },
    table: tableOf([['Pod-Selector', 'string', 'podSelector selects the pods to which this NetworkPolicy object applies.', 0, (o: Obj) => formatLabelSelector(o.spec?.podSelector)]]),
  },
});
