import { tableOf } from '../../table/format.js';
import { formatLabelSelector } from '../core/pod-spec.js';
import { defineResource } from '../define.js';
import { defaultBinding, validateBinding } from './admission-policies.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

/** kube's printer: `ns/name`, `*\/name` when the namespace is left to the request, else the selector. */
function paramRef(o: Obj): string {
  const pr = o.spec?.paramRef;
  if (!pr) return '<unset>';
  if (pr.name) return pr.namespace ? `${pr.namespace}/${pr.name}` : `*/${pr.name}`;
  if (pr.selector) return formatLabelSelector(pr.selector);
  return '<unset>';
}

export const validatingadmissionpolicybindings = defineResource({
  group: 'admissionregistration.k8s.io', version: 'v1', kind: 'ValidatingAdmissionPolicyBinding', resource: 'validatingadmissionpolicybindings', namespaced: false,
  categories: ['api-extensions'],
  strategy: {
    // kube's strategy bumps generation on any change of spec.
    trackGeneration: true,
    defaults: defaultBinding,
    validate: (obj) => validateBinding(obj),
    table: tableOf([
      ['PolicyName', 'string', 'PolicyName indicates the policy definition which the policy binding binded to', 0, (o: Obj) => o.spec?.policyName ?? ''],
      ['ParamRef', 'string', 'ParamRef indicates the param resource which sets the configuration param', 0, paramRef],
    ]),
  },
});
