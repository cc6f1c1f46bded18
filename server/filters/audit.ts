// Audit (kube's WithAudit): one audit event per request stage, per --audit-policy-file. Filled by the audit work.
import type { Auditor } from '../audit/auditor.js';
import type { Filter } from './chain.js';

export function audit(_auditor: Auditor): Filter {
  return {
    name: 'audit',
    filter: (_ex, next) => next(),
  };
}
