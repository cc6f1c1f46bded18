// The authentication chain, as kube-apiserver's union: the front proxy's headers (only from the
// proven proxy), then the bearer token through each token authenticator; a request with no
// credential is system:anonymous where anonymous requests are allowed, else 401. A credential that
// is presented and fails is 401, never anonymous.
import type { ServerConfig } from '../config.js';
import type { SecurityDeps } from '../security.js';
import { anonymousPaths } from './anonymous.js';
import { type Authenticated, AuthenticationFailed, type AuthenticationRequest, type RequestAuthenticator } from './authenticator.js';
import { FrontProxyAuthenticator } from './request-header.js';
import { type TokenAuthenticators, tokenAuthenticators } from './tokens.js';
import { anonymousUser, withAuthenticatedGroup } from './user.js';

export interface AuthenticationParts {
  authenticator: RequestAuthenticator;
  tokens: TokenAuthenticators;
  /** A TokenReview: the token through the token authenticators, for `audiences` (unset = the API server's). */
  reviewToken(token: string, audiences?: string[]): Promise<Authenticated | undefined>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function buildAuthenticator(config: ServerConfig, deps: SecurityDeps): AuthenticationParts {
  const sec = config.security;
  const requestAuthenticators: RequestAuthenticator[] = [];
  const frontProxy = sec.requestheaderClientCAFile ? FrontProxyAuthenticator.fromConfig(config) : undefined;
  if (frontProxy) requestAuthenticators.push(frontProxy);
  const tokens = tokenAuthenticators(config, deps);
  const anonymous = anonymousPaths(sec);

  const authenticator: RequestAuthenticator = {
    name: 'union',
    async authenticate(req: AuthenticationRequest): Promise<Authenticated | undefined> {
      let failed: Error | undefined;
      for (const a of requestAuthenticators) {
        try {
          const r = await a.authenticate(req);
          if (r) return { ...r, user: withAuthenticatedGroup(r.user) };
        } catch (e) {
          failed ??= e as Error;
        }
      }
      const token = bearerToken(req);
      if (token !== undefined) {
        const r = await reviewToken(token);
        if (r) return r;
        throw new AuthenticationFailed('invalid bearer token');
      }
      if (failed) throw failed;
      if (anonymous(req.path)) return { user: anonymousUser };
      return undefined;
    },
  };
  const apiAudiences = sec.apiAudiences;
  async function reviewToken(token: string, audiences?: string[]): Promise<Authenticated | undefined> {
    let failed: Error | undefined;
    for (const a of tokens.authenticators) {
      try {
        const r = await a.authenticateToken(token, audiences);
        if (!r) continue;
        // An authenticator that knows no audiences (the token file) is for the API server's (kube's WrapAudienceAgnosticToken).
        let auds = r.audiences;
        if (!auds) {
          auds = audiences ? apiAudiences.filter((x) => audiences.includes(x)) : apiAudiences;
          if (audiences && !auds.length) continue;
        }
        return { user: withAuthenticatedGroup(r.user), audiences: auds };
      } catch (e) {
        failed ??= e as Error;
      }
    }
    if (failed) throw failed;
    return undefined;
  }
  return { authenticator, tokens, reviewToken, start: () => tokens.start(), stop: () => tokens.stop() };
}

/**
 * The bearer token of `Authorization: Bearer <token>` (kube: case-insensitive scheme, one space,
 * non-empty token). A WebSocket client that cannot set headers sends it as a subprotocol
 * (base64url.bearer.authorization.k8s.io.<token>), as kube's websocket protocol authenticator reads it.
 */
export function bearerToken(req: AuthenticationRequest): string | undefined {
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    const m = /^bearer\s+(\S+)\s*$/i.exec(auth);
    if (m) return m[1];
  }
  const protocols = req.headers['sec-websocket-protocol'];
  if (protocols) {
    for (const p of protocols.split(',').map((s) => s.trim())) {
      const prefix = 'base64url.bearer.authorization.k8s.io.';
      if (p.startsWith(prefix)) {
        const token = Buffer.from(p.slice(prefix.length), 'base64url').toString();
        if (token) return token;
      }
    }
  }
  return undefined;
}
