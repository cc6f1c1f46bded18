// apiregistration.k8s.io/v1 APIService: a group/version served here (Local) or by an extension server
// behind a Service, with kube-aggregator's validation, status split and `kubectl get apiservices` columns.
import { field, type FieldError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { tableOf } from '../../table/format.js';
import { isDNS1035Label, isDNS1123Subdomain, isPathSegmentName } from '../../validation/names.js';
import { defineResource } from '../define.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

/** kube's NewLocalAvailableAPIServiceCondition. */
export function localAvailableCondition(now = new Date()): Obj {
  return { type: 'Available', status: 'True', lastTransitionTime: now.toISOString().replace(/\.\d+Z$/, 'Z'), reason: 'Local', message: 'Local APIServices are always available' };
}

export function availableCondition(obj: KubeObject): Obj | undefined {
  return ((obj.status as Obj | undefined)?.conditions as Obj[] | undefined)?.find((c) => c.type === 'Available');
}

/** kube-aggregator's ValidateAPIService. */
function validateAPIService(obj: KubeObject): FieldError[] {
  const spec = (obj.spec ?? {}) as Obj;
  const group: string = spec.group ?? '';
  const version: string = spec.version ?? '';
  const errs: FieldError[] = [];
  const name = obj.metadata.name ?? '';
  const requiredName = `${version}.${group}`;
  // The name is checked as a path segment by the generic layer; it must also be version.group.
  if (isPathSegmentName(name).length === 0 && name !== requiredName) {
    errs.push(field.invalid('metadata.name', name, `must be \`spec.version+"."+spec.group\`: ${JSON.stringify(requiredName)}`));
  }
  if (!group && version !== 'v1') errs.push(field.required('spec.group', 'only v1 may have an empty group and it better be legacy kube'));
  if (group) for (const m of isDNS1123Subdomain(group)) errs.push(field.invalid('spec.group', group, m));
  for (const m of isDNS1035Label(version)) errs.push(field.invalid('spec.version', version, m));
  const gpm = spec.groupPriorityMinimum ?? 0;
  if (gpm <= 0 || gpm > 20000) errs.push(field.invalid('spec.groupPriorityMinimum', gpm, 'must be positive and less than 20000'));
  const vp = spec.versionPriority ?? 0;
  if (vp <= 0 || vp > 1000) errs.push(field.invalid('spec.versionPriority', vp, 'must be positive and less than 1000'));
  const caBundle: string = spec.caBundle ?? '';
  const caBytes = Buffer.from(caBundle, 'base64').length;
  if (!spec.service) {
    if (caBytes) errs.push(field.invalid('spec.caBundle', `${caBytes} bytes`, 'local APIServices may not have a caBundle'));
    if (spec.insecureSkipTLSVerify) errs.push(field.invalid('spec.insecureSkipTLSVerify', true, 'local APIServices may not have insecureSkipTLSVerify'));
    return errs;
  }
  const svc = spec.service as Obj;
  if (!svc.namespace) errs.push(field.required('spec.service.namespace'));
  if (!svc.name) errs.push(field.required('spec.service.name'));
  const port = svc.port;
  if (!(Number.isInteger(port) && port >= 1 && port <= 65535)) errs.push(field.invalid('spec.service.port', port, 'port is not valid: must be between 1 and 65535, inclusive'));
  if (spec.insecureSkipTLSVerify && caBytes) errs.push(field.invalid('spec.insecureSkipTLSVerify', true, 'may not be true if caBundle is present'));
  return errs;
}

export const apiservices = defineResource({
  group: 'apiregistration.k8s.io', version: 'v1', kind: 'APIService', resource: 'apiservices', namespaced: false,
  subresources: { status: true }, nameRule: 'path-segment',
  strategy: {
    defaults(obj) {
      const svc = (obj.spec as Obj | undefined)?.service as Obj | undefined;
      if (svc && svc.port === undefined) svc.port = 443;
    },
    // A local APIService is Available from its creation on; a proxied one waits for the availability check.
    prepareForCreate(obj) {
      obj.status = (obj.spec as Obj | undefined)?.service ? {} : { conditions: [localAvailableCondition()] };
    },
    prepareForUpdate(obj, old) {
      obj.status = old.status;
    },
    validate: validateAPIService,
    allowUnconditionalUpdate: false,
    table: tableOf([
      ['Service', 'string', 'The reference to the service that hosts this API endpoint.', 0, (o: Obj) => (o.spec?.service ? `${o.spec.service.namespace}/${o.spec.service.name}` : 'Local')],
      ['Available', 'string', 'Whether this service is available.', 0, (o: Obj) => {
        const c = availableCondition(o as KubeObject);
        if (!c) return 'Unknown';
        return c.status === 'True' || !c.reason ? c.status : `${c.status} (${c.reason})`;
      }],
    ]),
  },
});
