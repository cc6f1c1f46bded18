// Service-account tokens as a token authenticator (kube's serviceaccount.JWTTokenAuthenticator): a JWT
// whose iss is one of ours, signed by one of --service-account-key-file's keys, for one of the
// accepted audiences, naming objects that still exist. Kube runs it twice: for legacy Secret tokens
// (iss kubernetes/serviceaccount) and for TokenRequest's bound tokens (the --service-account-issuer list).
import type { KeyObject } from 'node:crypto';
import { type Authenticated, AuthenticationFailed, type TokenAuthenticator } from '../authenticator.js';
import { audiencesOf, parseJWT, verifySignature } from '../jwt.js';
import { type BoundClaims, InvalidToken, legacyIssuer, type ObjectGetter, validateBound, validateLegacy } from './claims.js';
import { serviceAccountUser } from './user.js';

export interface ServiceAccountAuthenticatorOptions {
  kind: 'legacy' | 'bound';
  /** Accepted issuers: the legacy one, or --service-account-issuer's. */
  issuers: string[];
  keys: KeyObject[];
  /** --api-audiences: what a token must be for when the request names none. */
  implicitAudiences: string[];
  getter: ObjectGetter;
  /** --service-account-lookup: legacy tokens are checked against their Secret and service account. */
  lookup: boolean;
  now?: () => number;
}

export class ServiceAccountTokenAuthenticator implements TokenAuthenticator {
  readonly name: string;

  constructor(private readonly opts: ServiceAccountAuthenticatorOptions) {
    this.name = `serviceaccount-${opts.kind}`;
  }

  async authenticateToken(token: string, audiences?: string[]): Promise<Authenticated | undefined> {
    const jwt = parseJWT(token);
    // Not a JWT, or another issuer's: another authenticator's token.
    if (!jwt || typeof jwt.claims.iss !== 'string' || !this.opts.issuers.includes(jwt.claims.iss)) return undefined;
    if (!this.opts.keys.some((k) => verifySignature(jwt, k))) throw new AuthenticationFailed('invalid signature');
    let tokenAudiences = audiencesOf(jwt.claims);
    // Legacy tokens name no audience: they are for the API server's.
    if (!tokenAudiences.length) tokenAudiences = this.opts.implicitAudiences;
    const requested = audiences ?? this.opts.implicitAudiences;
    const auds = tokenAudiences.filter((a) => requested.includes(a));
    if (!auds.length && this.opts.implicitAudiences.length) {
      throw new AuthenticationFailed(`token audiences ${goList(tokenAudiences)} is invalid for the target audiences ${goList(requested)}`);
    }
    const now = Math.floor((this.opts.now?.() ?? Date.now()) / 1000);
    try {
      const isBound = typeof jwt.claims['kubernetes.io'] === 'object' && jwt.claims['kubernetes.io'] !== null;
      if (this.opts.kind === 'bound' && !isBound) return undefined;
      if (this.opts.kind === 'legacy' && isBound) return undefined;
      const sa = isBound
        ? await validateBound(jwt.claims as BoundClaims, this.opts.getter, now)
        : await validateLegacy(token, jwt.claims, this.opts.getter, this.opts.lookup);
      return { user: serviceAccountUser(sa), audiences: auds };
    } catch (e) {
      if (e instanceof InvalidToken) throw new AuthenticationFailed(e.message);
      throw e;
    }
  }
}

/** Go's %q of a []string: ["a" "b"]. */
function goList(xs: string[]): string {
  return `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;
}

export { legacyIssuer };
