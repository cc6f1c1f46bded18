import { field, type FieldError } from '../../api/errors.js';
import { tableOf } from '../../table/format.js';
import { formatLabelSelector } from '../core/pod-spec.js';
import { defineResource } from '../define.js';
import { statusSplit } from '../status.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const group = 'networking.k8s.io';

function validateIngress(obj: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const spec = obj.spec ?? {};
  if (!spec.defaultBackend && !(spec.rules ?? []).length) errs.push(field.invalid('spec.rules', spec.rules ?? [], 'either `defaultBackend` or `rules` must be specified'));
  for (const [i, r] of (spec.rules ?? []).entries()) {
    for (const [j, p] of (r.http?.paths ?? []).entries()) {
      const pp = `spec.rules[${i}].http.paths[${j}]`;
      if (!p.pathType) errs.push(field.required(`${pp}.pathType`, 'pathType must be specified'));
      else if (!['Exact', 'Prefix', 'ImplementationSpecific'].includes(p.pathType)) errs.push(field.notSupported(`${pp}.pathType`, p.pathType, ['Exact', 'ImplementationSpecific', 'Prefix']));
      if (p.pathType !== 'ImplementationSpecific' && !(p.path ?? '').startsWith('/')) errs.push(field.invalid(`${pp}.path`, p.path ?? '', "must be an absolute path"));
      if (!p.backend) errs.push(field.required(`${pp}.backend`));
      else if (!p.backend.service && !p.backend.resource) errs.push(field.invalid(`${pp}.backend`, p.backend, 'one backend (service or resource) must be specified'));
    }
  }
  return errs;
}

export const ingresses = defineResource({
  group, version: 'v1', kind: 'Ingress', resource: 'ingresses', namespaced: true, shortNames: ['ing'],
  subresources: { status: true },
  strategy: {
    trackGeneration: true,
    ...statusSplit(),
    validate: (o) => validateIngress(o as Obj),
    table: tableOf([
      ['Class', 'string', 'The name of the IngressClass cluster resource.', 0, (o: Obj) => o.spec?.ingressClassName ?? '<none>'],
      ['Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule', 0, (o: Obj) => {
        const hosts = (o.spec?.rules ?? []).map((r: Obj) => r.host).filter(Boolean);
        return hosts.length ? (hosts.length > 4 ? `${hosts.slice(0, 4).join(',')} + ${hosts.length - 4} more...` : hosts.join(',')) : '*';
      }],
      ['Address', 'string', 'Address is a list containing ingress points for the load-balancer', 0, (o: Obj) => (o.status?.loadBalancer?.ingress ?? []).map((i: Obj) => i.ip || i.hostname).join(',')],
      ['Ports', 'string', 'Ports of TLS configurations that open', 0, (o: Obj) => ((o.spec?.tls ?? []).length ? '80, 443' : '80')],
    ]),
  },
});

export const ingressclasses = defineResource({
  group, version: 'v1', kind: 'IngressClass', resource: 'ingressclasses', namespaced: false,
  strategy: {
    trackGeneration: true,
    validate(obj): FieldError[] {
      const c = (obj.spec as Obj | undefined)?.controller;
      return c ? [] : [field.required('spec.controller')];
    },
    validateUpdate(obj, old) {
      return (obj.spec as Obj)?.controller === (old.spec as Obj)?.controller ? [] : [field.invalid('spec.controller', (obj.spec as Obj)?.controller, 'field is immutable')];
    },
    table: tableOf([
      ['Controller', 'string', 'Controller that is responsible for handling this class', 0, (o: Obj) => o.spec?.controller ?? ''],
      ['Parameters', 'string', 'A reference to a resource with additional parameters', 0, (o: Obj) => {
        const p = o.spec?.parameters;
        if (!p) return '<none>';
        return `${p.kind}.${p.apiGroup ?? ''}/${p.name}`;
      }],
    ]),
  },
});

export const networkpolicies = defineResource({
  group, version: 'v1', kind: 'NetworkPolicy', resource: 'networkpolicies', namespaced: true, shortNames: ['netpol'],
  strategy: {
    trackGeneration: true,
    defaults(obj) {
      const spec = (obj.spec ??= {}) as Obj;
      spec.podSelector ??= {};
      if (!spec.policyTypes) spec.policyTypes = spec.egress ? ['Ingress', 'Egress'] : ['Ingress'];
      for (const r of [...(spec.ingress ?? []), ...(spec.egress ?? [])]) for (const p of r.ports ?? []) p.protocol ??= 'TCP';
    },
    validate(obj): FieldError[] {
      const errs: FieldError[] = [];
      for (const t of ((obj.spec as Obj)?.policyTypes ?? []) as string[]) if (!['Ingress', 'Egress'].includes(t)) errs.push(field.notSupported('spec.policyTypes', t, ['Ingress', 'Egress']));
      return errs;
    },
    table: tableOf([['Pod-Selector', 'string', 'Selects the pods to which this NetworkPolicy object applies.', 0, (o: Obj) => {
      const s = formatLabelSelector(o.spec?.podSelector);
      return s === '<none>' ? '<none>' : s;
    }]]),
  },
});
