// The bearer-token authenticators, in kube's order: static token file, service-account tokens
// (legacy secrets and TokenRequest), OIDC. Filled by the token work.
import type { ServerConfig } from '../config.js';
import type { SecurityDeps } from '../security.js';
import type { TokenAuthenticator } from './authenticator.js';

export interface TokenAuthenticators {
  authenticators: TokenAuthenticator[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function tokenAuthenticators(_config: ServerConfig, _deps: SecurityDeps): TokenAuthenticators {
  return { authenticators: [], start: async () => undefined, stop: async () => undefined };
}
