import { defineResource } from '../define.js';
import { bindingEscalationCheck, onlyGarbageCollectionFields } from './escalation-check.js';
import { bindingTable, defaultBinding, validateBinding, validateRoleRefUnchanged } from './rolebindings.js';

export const clusterrolebindings = defineResource({
  group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRoleBinding', resource: 'clusterrolebindings', namespaced: false, nameRule: 'path-segment',
  strategy: {
    defaults: defaultBinding, validate: (o) => validateBinding(o, false), validateUpdate: validateRoleRefUnchanged, table: bindingTable('clusterRoleBinding'),
    beforeCreate: (o, ctx) => bindingEscalationCheck(clusterrolebindings)(o, ctx),
    beforeUpdate: async (o, old, ctx) => {
      if (!onlyGarbageCollectionFields(o, old)) await bindingEscalationCheck(clusterrolebindings)(o, ctx);
    },
  },
});
