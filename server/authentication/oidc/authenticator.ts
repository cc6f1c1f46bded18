// --oidc-* (kube's JWT authenticator from the legacy flags): an ID token of the one issuer, signed by
// a key from its JWKS with an allowed algorithm, for --oidc-client-id, not expired, carrying the
// required claims. The user is the username claim (prefixed per kube's rules) and the groups claim.
import { readFileSync } from 'node:fs';
import type { SecurityConfig } from '../../config.js';
import { type Authenticated, AuthenticationFailed, type TokenAuthenticator } from '../authenticator.js';
import { audiencesOf, type JWTClaims, parseJWT, verifySignature } from '../jwt.js';
import { RemoteKeySet } from './keys.js';

/** go-oidc allows an nbf this far in the future (clock skew). */
const notBeforeLeewaySeconds = 300;

export interface OIDCOptions {
  issuerURL: string;
  clientID: string;
  usernameClaim: string;
  /** Already resolved per kube's rules (see usernamePrefix below). */
  usernamePrefix: string;
  groupsClaim?: string;
  groupsPrefix?: string;
  requiredClaims: Record<string, string>;
  signingAlgs: string[];
  keys: RemoteKeySet;
  now?: () => number;
}

/**
 * kube's legacy flag rule: no --oidc-username-prefix means "<issuer>#" unless the username claim is
 * email; "-" means no prefix.
 */
export function usernamePrefix(flag: string | undefined, issuerURL: string, usernameClaim: string): string {
  if (flag === '-') return '';
  if (!flag && usernameClaim !== 'email') return `${issuerURL}#`;
  return flag ?? '';
}

export class OIDCAuthenticator implements TokenAuthenticator {
  readonly name = 'oidc';

  constructor(private readonly opts: OIDCOptions) {}

  static fromConfig(sec: SecurityConfig): OIDCAuthenticator {
    const issuerURL = sec.oidcIssuerURL!;
    if (!sec.oidcClientID) throw new Error('--oidc-client-id is required with --oidc-issuer-url');
    if (new URL(issuerURL).protocol !== 'https:') throw new Error(`--oidc-issuer-url must use https scheme, got: ${issuerURL}`);
    return new OIDCAuthenticator({
      issuerURL,
      clientID: sec.oidcClientID,
      usernameClaim: sec.oidcUsernameClaim,
      usernamePrefix: usernamePrefix(sec.oidcUsernamePrefix, issuerURL, sec.oidcUsernameClaim),
      groupsClaim: sec.oidcGroupsClaim,
      groupsPrefix: sec.oidcGroupsPrefix,
      requiredClaims: sec.oidcRequiredClaims,
      signingAlgs: sec.oidcSigningAlgs,
      keys: new RemoteKeySet({ issuerURL, ca: sec.oidcCAFile ? readFileSync(sec.oidcCAFile, 'utf8') : undefined }),
    });
  }

  /** Starts fetching the provider's keys ahead of the first token (not waited for: a provider that is down must not hold up start-up; keysFor retries). */
  start(): void {
    this.opts.keys.refresh().catch(() => undefined);
  }

  async authenticateToken(token: string): Promise<Authenticated | undefined> {
    const jwt = parseJWT(token);
    // Another issuer's token (or no JWT): not ours to judge.
    if (!jwt || jwt.claims.iss !== this.opts.issuerURL) return undefined;
    const fail = (why: string) => new AuthenticationFailed(why);
    if (!this.opts.signingAlgs.includes(jwt.header.alg)) {
      throw fail(`oidc: verify token: oidc: id token signed with unsupported algorithm, expected ${goList(this.opts.signingAlgs)} got ${JSON.stringify(jwt.header.alg)}`);
    }
    let keys;
    try {
      keys = await this.opts.keys.keysFor(jwt.header.kid);
    } catch (e) {
      throw fail(`oidc: verify token: failed to verify signature: fetching keys ${(e as Error).message}`);
    }
    if (!keys.some((k) => verifySignature(jwt, k.key))) throw fail('oidc: verify token: failed to verify signature: failed to verify id token signature');
    const c = jwt.claims;
    const aud = audiencesOf(c);
    if (!aud.includes(this.opts.clientID)) throw fail(`oidc: verify token: oidc: expected audience in ${goList([this.opts.clientID])} got ${goList(aud)}`);
    const now = Math.floor((this.opts.now?.() ?? Date.now()) / 1000);
    if (typeof c.exp !== 'number' || c.exp < now) throw fail(`oidc: verify token: oidc: token is expired (Token Expiry: ${c.exp === undefined ? '' : new Date(c.exp * 1000).toISOString()})`);
    if (typeof c.nbf === 'number' && now + notBeforeLeewaySeconds < c.nbf) throw fail('oidc: verify token: oidc: current time before the nbf (not before) time');
    const user = { name: this.username(c), groups: this.groups(c) };
    for (const [claim, want] of Object.entries(this.opts.requiredClaims)) {
      if (!(claim in c)) throw fail(`oidc: required claim ${claim} not present in ID token`);
      if (typeof c[claim] !== 'string') throw fail(`oidc: parse claim ${claim}: json: cannot unmarshal ${typeof c[claim]} into Go value of type string`);
      if (c[claim] !== want) throw fail(`oidc: required claim ${claim} value does not match. Got = ${c[claim] as string}, want = ${want}`);
    }
    return { user };
  }

  private username(c: JWTClaims): string {
    const claim = this.opts.usernameClaim;
    const name = c[claim];
    if (typeof name !== 'string') {
      throw new AuthenticationFailed(`oidc: parse username claims ${JSON.stringify(claim)}: ${name === undefined ? `claim not present` : `json: cannot unmarshal ${typeof name} into Go value of type string`}`);
    }
    if (claim === 'email' && 'email_verified' in c) {
      if (typeof c.email_verified !== 'boolean') throw new AuthenticationFailed(`oidc: parse 'email_verified' claim: json: cannot unmarshal ${typeof c.email_verified} into Go value of type bool`);
      if (!c.email_verified) throw new AuthenticationFailed('oidc: email not verified');
    }
    return this.opts.usernamePrefix + name;
  }

  /** The groups claim: one string or a list of strings. */
  private groups(c: JWTClaims): string[] {
    const claim = this.opts.groupsClaim;
    if (!claim || !(claim in c)) return [];
    const v = c[claim];
    const list = typeof v === 'string' ? [v] : Array.isArray(v) && v.every((g) => typeof g === 'string') ? (v as string[]) : undefined;
    if (!list) throw new AuthenticationFailed(`oidc: parse groups claim ${JSON.stringify(claim)}: json: cannot unmarshal into a string or an array of strings`);
    return list.map((g) => (this.opts.groupsPrefix ?? '') + g);
  }
}

function goList(xs: string[]): string {
  return `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;
}
