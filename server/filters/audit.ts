// Audit (kube's WithAudit): one audit event per request stage, per --audit-policy-file. Filled by issue 9 (security); today nothing is recorded.
import type { Filter } from './chain.js';

export const audit: Filter = {
  name: 'audit',
  filter: (_ex, next) => next(),
};
