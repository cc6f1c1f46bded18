// Authentication (kube's WithAuthentication): who is asking. The authenticator chain
// (authentication/index.ts) answers; no identity or a bad credential is 401. The Authorization
// header is dropped once read, as kube does, so nothing later can leak it.
import { errors } from '../api/errors.js';
import { AuthenticationFailed, type RequestAuthenticator } from '../authentication/authenticator.js';
import type { Auditor } from '../audit/auditor.js';
import { auditFailedAuthentication } from './audit.js';
import type { Filter } from './chain.js';

/** Where the filter reports each attempt (kube's recordAuthenticationMetrics). */
export type AuthenticationObserver = (result: 'success' | 'failure' | 'error', seconds: number, username?: string) => void;

export function authentication(authenticator: RequestAuthenticator, auditor?: Auditor, observe?: AuthenticationObserver): Filter {
  return {
    name: 'authentication',
    async filter(ex, next) {
      let result;
      let failed = false;
      const start = performance.now();
      try {
        result = await authenticator.authenticate(ex);
      } catch (e) {
        if (!(e instanceof AuthenticationFailed)) throw e;
        failed = true;
      }
      observe?.(result ? 'success' : failed ? 'error' : 'failure', (performance.now() - start) / 1000, result?.user.name);
      if (!result) {
        if (auditor) auditFailedAuthentication(auditor, ex);
        return ex.sendError(errors.unauthorized());
      }
      ex.authenticatedUser = ex.user = result.user;
      delete ex.headers.authorization;
      await next();
    },
  };
}
