import { defineResource } from '../define.js';
import { createdAtTable, validateRules } from './roles.js';

export const clusterroles = defineResource({
  group: 'rbac.authorization.k8s.io', version: 'v1', kind: 'ClusterRole', resource: 'clusterroles', namespaced: false, nameRule: 'path-segment',
  strategy: { validate: (o) => validateRules(o, false), table: createdAtTable },
});
