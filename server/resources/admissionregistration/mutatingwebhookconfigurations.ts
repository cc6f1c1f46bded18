import { tableOf } from '../../table/format.js';
import { defineResource } from '../define.js';
import { defaultWebhooks, validateWebhooks } from './webhooks.js';

export const mutatingwebhookconfigurations = defineResource({
  group: 'admissionregistration.k8s.io', version: 'v1', kind: 'MutatingWebhookConfiguration', resource: 'mutatingwebhookconfigurations', namespaced: false,
  categories: ['api-extensions'],
  strategy: {
    // kube's strategy bumps generation on any change of webhooks.
    trackGeneration: true,
    defaults: (obj) => defaultWebhooks(obj, true),
    validate: (obj, old) => validateWebhooks(obj, true, old),
    table: tableOf([['Webhooks', 'integer', 'Webhooks indicates the number of webhooks registered in this configuration.', 0,
      (o: { webhooks?: unknown[] }) => o.webhooks?.length ?? 0]]),
  },
});
