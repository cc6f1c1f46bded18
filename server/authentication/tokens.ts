// The bearer-token authenticators, in kube's order: static token file, service-account tokens
// (legacy secrets and TokenRequest), OIDC.
import type { ServerConfig } from '../config.js';
import type { SecurityDeps } from '../security.js';
import type { TokenAuthenticator } from './authenticator.js';
import { OIDCAuthenticator } from './oidc/authenticator.js';
import { type ServiceAccountTokens, serviceAccountTokens } from './serviceaccount/index.js';
import { TokenFileAuthenticator } from './token-file.js';

export interface TokenAuthenticators {
  authenticators: TokenAuthenticator[];
  serviceAccounts: ServiceAccountTokens;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function tokenAuthenticators(config: ServerConfig, deps: SecurityDeps): TokenAuthenticators {
  const authenticators: TokenAuthenticator[] = [];
  if (config.security.tokenAuthFile) authenticators.push(TokenFileAuthenticator.fromFile(config.security.tokenAuthFile));
  const serviceAccounts = serviceAccountTokens(config, deps);
  authenticators.push(...serviceAccounts.authenticators);
  const oidc = config.security.oidcIssuerURL ? OIDCAuthenticator.fromConfig(config.security) : undefined;
  if (oidc) authenticators.push(oidc);
  return { authenticators, serviceAccounts, start: async () => { oidc?.start(); }, stop: async () => undefined };
}
