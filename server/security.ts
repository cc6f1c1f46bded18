// The request path's security, built once per instance from the flags: who is asking
// (authentication/), may they (authorization/), and what is recorded (audit/). The filters in
// filters/ call these; the registry reads the user the filters leave on the request.
import type { ServerConfig } from './config.js';
import type { Auditor } from './audit/auditor.js';
import { buildAuditor } from './audit/index.js';
import type { Authenticated, RequestAuthenticator } from './authentication/authenticator.js';
import type { ServiceAccountTokens } from './authentication/serviceaccount/index.js';
import { buildAuthenticator } from './authentication/index.js';
import type { Authorizer, RuleResolver } from './authorization/authorizer.js';
import { buildAuthorizer } from './authorization/index.js';
import type { TypeRegistry } from './registry/registry.js';
import type { GenericStore } from './registry/store.js';
import type { Cacher } from './storage/cacher/cacher.js';

/** What the security pieces read: objects (service accounts, secrets, RBAC) through the watch cache. */
export interface SecurityDeps {
  cacher: Cacher;
  store: GenericStore;
  types: TypeRegistry;
}

export interface Security {
  authenticator: RequestAuthenticator;
  authorizer: Authorizer;
  ruleResolver: RuleResolver;
  auditor: Auditor;
  /** TokenRequest's issuer, issuer discovery and what the token endpoints read. */
  serviceAccounts: ServiceAccountTokens;
  /** TokenReview: the token authenticators' answer for a token, for `audiences` (unset = --api-audiences). */
  reviewToken(token: string, audiences?: string[]): Promise<Authenticated | undefined>;
  /** Starts what keeps itself current (the RBAC index, OIDC keys, the audit backends). */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function buildSecurity(config: ServerConfig, deps: SecurityDeps): Security {
  const authn = buildAuthenticator(config, deps);
  const authz = buildAuthorizer(config, deps);
  const auditor = buildAuditor(config);
  return {
    authenticator: authn.authenticator,
    authorizer: authz.authorizer,
    ruleResolver: authz.ruleResolver,
    auditor,
    serviceAccounts: authn.tokens.serviceAccounts,
    reviewToken: authn.reviewToken,
    async start() {
      await Promise.all([authn.start(), authz.start(), auditor.start()]);
    },
    async stop() {
      await Promise.all([authn.stop(), authz.stop(), auditor.stop()]);
    },
  };
}
