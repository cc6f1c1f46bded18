// Authorization (kube's WithAuthorization): RBAC on the request info. Filled by issue 9 (security); today everything is allowed.
import type { Filter } from './chain.js';

export const authorization: Filter = {
  name: 'authorization',
  filter: (_ex, next) => next(),
};
