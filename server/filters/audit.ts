// Audit (kube's WithAudit): the policy decides a level per request from who asks and what; at
// Metadata or above the request gets a RequestAudit on its exchange that writes one event per
// stage (RequestReceived, ResponseStarted for long-running requests, ResponseComplete, Panic).
import { ApiError } from '../api/errors.js';
import type { Auditor } from '../audit/auditor.js';
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
