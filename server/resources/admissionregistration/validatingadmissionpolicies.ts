import { tableOf } from '../../table/format.js';
import { defineResource } from '../define.js';
import { statusSplit } from '../status.js';
import { defaultPolicy, validatePolicy } from './admission-policies.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

export const validatingadmissionpolicies = defineResource({
  group: 'admissionregistration.k8s.io', version: 'v1', kind: 'ValidatingAdmissionPolicy', resource: 'validatingadmissionpolicies', namespaced: false,
  categories: ['api-extensions'], subresources: { status: true },
  strategy: {
    // kube's strategy bumps generation on any change of spec.
    trackGeneration: true,
    ...statusSplit(),
    defaults: defaultPolicy,
    validate: (obj) => validatePolicy(obj),
    table: tableOf([
      ['Validations', 'integer', 'Validations indicates the number of validation rules defined in this configuration', 0, (o: Obj) => o.spec?.validations?.length ?? 0],
      ['ParamKind', 'string', 'ParamKind specifies the kind of resources used to parameterize this policy', 0,
        (o: Obj) => (o.spec?.paramKind ? `${o.spec.paramKind.apiVersion ?? ''}/${o.spec.paramKind.kind ?? ''}` : '<unset>')],
    ]),
  },
});
