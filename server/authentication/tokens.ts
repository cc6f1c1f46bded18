// The bearer-token authenticators, in kube's order: static token file, service-account tokens
// (legacy secrets and TokenRequest), OIDC. Filled by the token work.
import type { ServerConfig } from '../config.js';
import type { SecurityDeps } from '../security.js';
import type { TokenAuthenticator } from './authenticator.js';
import { TokenFileAuthenticator } from './token-file.js';

export interface TokenAuthenticators {
  authenticators: TokenAuthenticator[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function tokenAuthenticators(config: ServerConfig, _deps: SecurityDeps): TokenAuthenticators {
  const authenticators: TokenAuthenticator[] = [];
  if (config.security.tokenAuthFile) authenticators.push(TokenFileAuthenticator.fromFile(config.security.tokenAuthFile));
  return { authenticators, start: async () => undefined, stop: async () => undefined };
}
