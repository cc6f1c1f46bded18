// Impersonation (kube's WithImpersonation): Impersonate-User/-Group/-Extra, authorized per target. Filled by issue 9 (security); today the headers are ignored.
import type { Filter } from './chain.js';

export const impersonation: Filter = {
  name: 'impersonation',
  filter: (_ex, next) => next(),
};
