// The request path's filters in kube-apiserver's order (DefaultBuildHandlerChain, read outside-in).
// Each concern is one file; the security ones call what server/security.ts built from the flags.
import type { Security } from '../security.js';
import type { Filter } from './chain.js';
import { audit } from './audit.js';
import { authentication } from './authentication.js';
import { authorization } from './authorization.js';
import { impersonation } from './impersonation.js';
import type { MaxInFlight } from './max-in-flight.js';
import { panicRecovery } from './panic-recovery.js';
import { requestID } from './request-id.js';
import { requestInfo } from './request-info.js';
import { timeout } from './timeout.js';

export interface ChainSettings {
  /** --request-timeout in seconds (kube: 60). */
  requestTimeoutSeconds: number;
  /** --max-requests-inflight / --max-mutating-requests-inflight; the server keeps it to report its counts. */
  maxInFlight: MaxInFlight;
}

export function defaultHandlerChain(settings: ChainSettings, security: Security): Filter[] {
  return [
    requestID, // kube's WithAuditInit sits outside panic recovery, so even a failure carries the id
    panicRecovery,
    requestInfo,
    timeout(settings.requestTimeoutSeconds),
    authentication(security.authenticator, security.auditor),
    audit(security.auditor),
    impersonation(security.authorizer),
    settings.maxInFlight, // kube's choice when priority and fairness is off (priority-and-fairness.ts: not served yet)
    authorization(security.authorizer),
  ];
}
