import { defineResource } from '../define.js';
import { roleEscalationCheck } from './escalation-check.js';
import { createdAtTable, validateRules } from './roles.js';

export const clusterroles = defineResource({
  group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', resource: 'clusterroles', namespaced: false, nameRule: 'path-segment',
  strategy: {
    validate: (o) => validateRules(o, false), table: createdAtTable,
    beforeCreate: (o, ctx) => roleEscalationCheck(clusterroles, () => '')(o, ctx),
    beforeUpdate: (o, _old, ctx) => roleEscalationCheck(clusterroles, (x) => x.metadata.name ?? '')(o, ctx),
  },
});
