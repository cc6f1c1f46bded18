// The authenticator vocabulary: a request authenticator looks at the whole request (front-proxy
// headers, the bearer token); a token authenticator at one bearer token. Each answers undefined for
// a credential that is not its kind and throws AuthenticationFailed for one that is but is bad.
import type { UserInfo } from './user.js';

export interface Authenticated {
  user: UserInfo;
  /** The audiences the credential was valid for (a service-account token's), when it names them. */
  audiences?: string[];
}

/** What an authenticator may read of a request. */
export interface AuthenticationRequest {
  method: string;
  path: string;
  /** The path and query as sent. */
  requestURI: string;
  headers: Record<string, string>;
  headerValues(name: string): string[];
  /** The request came in on the front proxy's own listener (--front-proxy-port). */
  frontProxyListener?: boolean;
}

export interface RequestAuthenticator {
  readonly name: string;
  authenticate(req: AuthenticationRequest): Promise<Authenticated | undefined>;
}

export interface TokenAuthenticator {
  readonly name: string;
  /** `audiences`: what the token must be for (a TokenReview's spec.audiences); unset = the API server's (--api-audiences). */
  authenticateToken(token: string, audiences?: string[]): Promise<Authenticated | undefined>;
}

/** A credential that was presented and is not valid: the request is answered 401. */
export class AuthenticationFailed extends Error {}
