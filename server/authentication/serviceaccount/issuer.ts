// Signs TokenRequest's tokens with --service-account-signing-key-file, as the first
// --service-account-issuer, with kube's key id (so verifiers can pick the key from the JWKS).
import type { KeyObject } from 'node:crypto';
import { algorithmFor, type JWTClaims, keyID, signJWT } from '../jwt.js';

export class TokenIssuer {
  private readonly alg: string;
  private readonly kid: string;

  constructor(private readonly issuer: string, private readonly key: KeyObject) {
    this.alg = algorithmFor(key);
    this.kid = keyID(key);
  }

  generateToken(claims: JWTClaims): string {
    // go-jose merges the claims through a map: keys in sorted order.
    const all: JWTClaims = { ...claims, iss: this.issuer };
    const sorted = Object.fromEntries(Object.keys(all).sort().map((k) => [k, all[k]]));
    return signJWT({ alg: this.alg, kid: this.kid }, sorted, this.key);
  }
}
