import { tableOf } from '../../table/format.js';
import { defineResource } from '../define.js';

export const serviceaccounts = defineResource({
  group: '', version: 'v1', kind: 'ServiceAccount', resource: 'serviceaccounts', namespaced: true, shortNames: ['sa'],
  // POST serviceaccounts/{name}/token: TokenRequest (server/registry/subresources/token.ts).
  subresources: { others: [{ name: 'token', kind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' }, verbs: ['create'] }] },
  strategy: {
    table: tableOf([
      ['Secrets', 'string', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.', 0,
        (o: { secrets?: unknown[] }) => String((o.secrets ?? []).length)],
    ]),
  },
});
