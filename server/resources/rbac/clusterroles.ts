import { defineResource } from '../define.js';
import { onlyGarbageCollectionFields, roleEscalationCheck } from './escalation-check.js';
import { createdAtTable, validateRules } from './roles.js';

export const clusterroles = defineResource({
  group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', resource: 'clusterroles', namespaced: false, nameRule: 'path-segment',
  strategy: {
    validate: (o) => validateRules(o, false), table: createdAtTable,
    beforeCreate: (o, ctx) => roleEscalationCheck(clusterroles, () => '')(o, ctx),
    beforeUpdate: async (o, old, ctx) => {
      if (!onlyGarbageCollectionFields(o, old)) await roleEscalationCheck(clusterroles, (x) => x.metadata.name ?? '')(o, ctx);
    },
  },
});
