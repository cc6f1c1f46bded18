// Authentication (kube's WithAuthentication): who is asking — client certificates at the LB, bearer tokens, OIDC. Filled by issue 9 (security); today every request is let through as it was.
import type { Filter } from './chain.js';

export const authentication: Filter = {
  name: 'authentication',
  filter: (_ex, next) => next(),
};
