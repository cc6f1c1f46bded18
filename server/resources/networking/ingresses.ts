// Ingresses: rules and backends validated as kube-apiserver does; the load balancer status is the controller's.
import { field, type FieldError } from '../../api/errors.js';
import { tableOf } from '../../table/format.js';
import { defineResource } from '../define.js';
import { statusSplit } from '../status.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const pathTypes = ['Exact', 'ImplementationSpecific', 'Prefix'];
const invalidPathSequences = ['//', '/./', '/../', '%2f', '%2F'];
const invalidPathSuffixes = ['/..', '/.'];

function validatePath(p: Obj, at: string): FieldError[] {
  const errs: FieldError[] = [];
  const path: string = p.path ?? '';
  if (!p.pathType) return [field.required(`${at}.pathType`, 'pathType must be specified')];
  if (!pathTypes.includes(p.pathType)) return [field.notSupported(`${at}.pathType`, p.pathType, pathTypes)];
  if (p.pathType === 'ImplementationSpecific') {
    if (path && !path.startsWith('/')) errs.push(field.invalid(`${at}.path`, path, 'must be an absolute path'));
    return errs;
  }
  if (!path.startsWith('/')) errs.push(field.invalid(`${at}.path`, path, 'must be an absolute path'));
  for (const seq of invalidPathSequences) if (path.includes(seq)) errs.push(field.invalid(`${at}.path`, path, `must not contain '${seq}'`));
  for (const suf of invalidPathSuffixes) if (path.endsWith(suf)) errs.push(field.invalid(`${at}.path`, path, `cannot end with '${suf}'`));
  return errs;
}

function validateBackend(b: Obj | undefined, at: string): FieldError[] {
  if (!b) return [field.required(at)];
  if (b.service && b.resource) return [field.invalid(at, '', 'cannot set both resource and service backends')];
  if (b.resource) return b.resource.kind && b.resource.name ? [] : [field.required(`${at}.resource`)];
  if (!b.service) return [field.invalid(at, '', 'resource or service backend is required')];
  const errs: FieldError[] = [];
  if (!b.service.name) errs.push(field.required(`${at}.service.name`));
  const port = b.service.port ?? {};
  if (port.name && port.number) errs.push(field.invalid(at, '', 'cannot set both port name & port number'));
  else if (!port.name && !port.number) errs.push(field.required(`${at}.service.port`, 'port name or number is required'));
  else if (port.number !== undefined && (port.number < 1 || port.number > 65535)) {
    errs.push(field.invalid(`${at}.service.port.number`, port.number, 'must be between 1 and 65535, inclusive'));
  }
  return errs;
}

export function validateIngress(obj: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const spec = obj.spec ?? {};
  if (!spec.defaultBackend && !(spec.rules ?? []).length) errs.push(field.invalid('spec', spec.rules ?? [], 'either `defaultBackend` or `rules` must be specified'));
  if (spec.defaultBackend) errs.push(...validateBackend(spec.defaultBackend, 'spec.defaultBackend'));
  for (const [i, r] of (spec.rules ?? []).entries()) {
    if (r.host && /^[0-9.]+$|:/.test(r.host)) errs.push(field.invalid(`spec.rules[${i}].host`, r.host, 'must be a DNS name, not an IP address'));
    if (r.http && !(r.http.paths ?? []).length) errs.push(field.required(`spec.rules[${i}].http.paths`));
    for (const [j, p] of (r.http?.paths ?? []).entries()) {
      const at = `spec.rules[${i}].http.paths[${j}]`;
      errs.push(...validatePath(p, at), ...validateBackend(p.backend, `${at}.backend`));
    }
  }
  return errs;
}

/** HOSTS: the first three hosts, then how many rules are left. */
function formatHosts(rules: Obj[] | undefined): string {
  const list: string[] = [];
  let more = false;
  for (const r of rules ?? []) {
    if (list.length === 3) more = true;
    if (!more && r.host) list.push(r.host);
  }
  if (!list.length) return '*';
  return more ? `${list.join(',')} + ${(rules ?? []).length - 3} more...` : list.join(',');
}

/** ADDRESS: the distinct load balancer IPs or hostnames, sorted (kube clips this to 16 characters outside -o wide). */
function formatAddress(o: Obj): string {
  const set = new Set<string>();
  for (const i of o.status?.loadBalancer?.ingress ?? []) if (i.ip || i.hostname) set.add(i.ip || i.hostname);
  return [...set].sort().join(',');
}

export const ingresses = defineResource({
  group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', resource: 'ingresses', namespaced: true, shortNames: ['ing'],
  subresources: { status: true },
  strategy: {
    trackGeneration: true,
    ...statusSplit(() => ({ loadBalancer: {} })),
    validate: (o) => validateIngress(o as Obj),
    table: tableOf([
      ['Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration', 0, (o: Obj) => o.spec?.ingressClassName ?? '<none>'],
      ['Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule', 0, (o: Obj) => formatHosts(o.spec?.rules)],
      ['Address', 'string', 'Address is a list containing ingress points for the load-balancer', 0, formatAddress],
      ['Ports', 'string', 'Ports of TLS configurations that open', 0, (o: Obj) => ((o.spec?.tls ?? []).length ? '80, 443' : '80')],
    ]),
  },
});
