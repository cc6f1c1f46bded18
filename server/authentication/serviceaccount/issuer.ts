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
    return signJWT({ alg: this.alg, kid: this.kid }, { ...claims, iss: this.issuer }, this.key);
  }
}
