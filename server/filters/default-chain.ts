// The request path's filters in kube-apiserver's order (DefaultBuildHandlerChain, read outside-in).
// Each concern is one file; the security ones call what server/security.ts built from the flags.
import type { Auditor } from '../audit/auditor.js';
import type { RequestInfo } from '../http/request-info.js';
import type { APIServerMetrics } from '../metrics/apiserver-metrics.js';
import type { Security } from '../security.js';
import type { Filter } from './chain.js';
import { audit } from './audit.js';
import { authentication } from './authentication.js';
import { authorization } from './authorization.js';
import { impersonation } from './impersonation.js';
import { requestMetrics } from './metrics.js';
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
  /** --enable-priority-and-fairness (kube's default): APF in the slot, max-in-flight only when it is off. */
  priorityAndFairness?: Filter;
  /** The server's metrics, and which resource requests name a served type (only those are instrumented). */
  metrics?: { metrics: APIServerMetrics; served: (info: RequestInfo) => boolean };
}

export function defaultHandlerChain(settings: ChainSettings, security: Security): Filter[] {
  const m = settings.metrics?.metrics;
  const auditor = m ? countingAuditor(security.auditor, () => m.auditEvents.inc()) : security.auditor;
  return [
    requestID, // kube's WithAuditInit sits outside panic recovery, so even a failure carries the id
    panicRecovery,
    requestInfo,
    timeout(settings.requestTimeoutSeconds),
    authentication(security.authenticator, auditor, m && ((result, seconds, user) => m.observeAuthentication(result, seconds, user))),
    audit(auditor),
    impersonation(security.authorizer),
    settings.priorityAndFairness ?? settings.maxInFlight,
    authorization(security.authorizer, m && ((decision, seconds) => m.observeAuthorization(decision, seconds))),
    // Innermost, as kube instruments the route: what the filters refused (401, 403) is not counted.
    ...settings.metrics ? [requestMetrics(settings.metrics.metrics, settings.metrics.served)] : [],
  ];
}

/** The auditor, counting every event it is handed (kube's apiserver_audit_event_total). */
function countingAuditor(auditor: Auditor, counted: () => void): Auditor {
  return {
    get enabled() {
      return auditor.enabled;
    },
    evaluate: (attrs) => auditor.evaluate(attrs),
    process(event) {
      counted();
      auditor.process(event);
    },
    start: () => auditor.start(),
    stop: () => auditor.stop(),
  };
}
