// Request id (kube's WithAuditInit): the client's Audit-ID, or a new UUID, echoed as the Audit-Id
// response header and kept for the audit and the logs.
import { randomUUID } from 'node:crypto';
import type { Filter } from './chain.js';

export const requestID: Filter = {
  name: 'request-id',
  async filter(ex, next) {
    // kube takes the client's value as it is, without truncating it.
    ex.auditID = ex.headers['audit-id'] || randomUUID();
    ex.responseHeaders['Audit-Id'] = ex.auditID;
    await next();
  },
};
