// Audit (kube's WithAudit): the policy decides a level per request from who asks and what; at
// Metadata or above the request gets a RequestAudit on its exchange that writes one event per
// stage (RequestReceived, ResponseStarted for long-running requests, ResponseComplete, Panic).
import { ApiError } from '../api/errors.js';
import type { Auditor } from '../audit/auditor.js';
import type { Exchange } from '../http/exchange.js';
import { RequestAudit } from '../audit/request.js';
import type { Filter } from './chain.js';
import { requestAttributes } from './authorization.js';
import { isLongRunning } from './timeout.js';

export function audit(auditor: Auditor): Filter {
  if (!auditor.enabled) return { name: 'audit', filter: (_ex, next) => next() };
  return {
    name: 'audit',
    async filter(ex, next) {
      const config = auditor.evaluate(requestAttributes(ex));
      if (config.level === 'None') return next();
      const rec = new RequestAudit(ex, config, (e) => auditor.process(e), isLongRunning(ex.requestInfo!));
      ex.audit = rec;
      rec.stage('RequestReceived');
      try {
        await next();
      } catch (e) {
        if (!(e instanceof ApiError)) rec.panic(e);
        // An API error not yet answered is answered by panic recovery, whose response records the end.
        else if (ex.hasStarted || ex.aborted || e.code === 499) rec.finish();
        throw e;
      }
      rec.finish();
    },
  };
}

/**
 * A request whose authentication failed never reaches the audit filter: the authentication filter
 * calls this before its 401, as kube's WithFailedAuthenticationAudit. The policy sees no user.
 */
export function auditFailedAuthentication(auditor: Auditor, ex: Exchange): void {
  if (!auditor.enabled || !ex.requestInfo) return;
  const config = auditor.evaluate({ ...requestAttributes(ex), user: { name: '', groups: [] } });
  if (config.level === 'None') return;
  const rec = new RequestAudit(ex, config, (e) => auditor.process(e), false);
  rec.failedAuthentication(attemptedMethods(ex));
  // The 401 the authentication filter sends next is what the event records.
  ex.audit = rec;
}

/** kube's getAuthMethods: which credentials the request tried. */
function attemptedMethods(ex: Exchange): string {
  const methods: string[] = [];
  const auth = (ex.headers.authorization ?? '').trim();
  if (/^basic /i.test(auth)) methods.push('basic');
  const parts = auth.split(' ');
  if (parts.length > 1 && parts[0].toLowerCase() === 'bearer') methods.push('bearer');
  if (ex.query.get('access_token')?.trim()) methods.push('access_token');
  return methods.length ? `Authentication failed, attempted: ${methods.join(', ')}` : 'Authentication failed, no credentials provided';
}
