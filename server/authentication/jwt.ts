// Compact JWS tokens (RFC 7515/7519) as service-account tokens and OIDC ID tokens use them: parse,
// sign and check a signature with node:crypto. Claims are checked by whoever reads them.
import { createHash, createPublicKey, type KeyObject, sign, verify } from 'node:crypto';

export interface JWTHeader {
  alg: string;
  kid?: string;
  typ?: string;
}

export type JWTClaims = Record<string, unknown> & {
  iss?: string;
  sub?: string;
  aud?: string | string[];
  exp?: number;
  nbf?: number;
  iat?: number;
  jti?: string;
};

export interface ParsedJWT {
  header: JWTHeader;
  claims: JWTClaims;
  /** `<header>.<payload>` as sent: what the signature covers. */
  signingInput: string;
  signature: Buffer;
}

/** The algorithms this server signs and verifies with (what service accounts and OIDC providers use). */
const algorithms: Record<string, { hash: string; keyType: string; dsaEncoding?: 'ieee-p1363' }> = {
  RS256: { hash: 'sha256', keyType: 'rsa' },
  RS384: { hash: 'sha384', keyType: 'rsa' },
  RS512: { hash: 'sha512', keyType: 'rsa' },
  ES256: { hash: 'sha256', keyType: 'ec', dsaEncoding: 'ieee-p1363' },
  ES384: { hash: 'sha384', keyType: 'ec', dsaEncoding: 'ieee-p1363' },
  ES512: { hash: 'sha512', keyType: 'ec', dsaEncoding: 'ieee-p1363' },
};

/** A JWT's parts, or undefined when the string is not a compact JWS with JSON header and claims. */
export function parseJWT(token: string): ParsedJWT | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString()) as JWTHeader;
    const claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString()) as JWTClaims;
    if (!header || typeof header !== 'object' || typeof header.alg !== 'string') return undefined;
    if (!claims || typeof claims !== 'object' || Array.isArray(claims)) return undefined;
    return { header, claims, signingInput: `${parts[0]}.${parts[1]}`, signature: Buffer.from(parts[2], 'base64url') };
  } catch {
    return undefined;
  }
}

/** The algorithm a key signs with: RS256 for RSA, ES256/384/512 by the curve. */
export function algorithmFor(key: KeyObject): string {
  if (key.asymmetricKeyType === 'rsa') return 'RS256';
  if (key.asymmetricKeyType === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return 'ES256';
    if (curve === 'secp384r1') return 'ES384';
    if (curve === 'secp521r1') return 'ES512';
  }
  throw new Error(`unsupported signing key type ${key.asymmetricKeyType}`);
}

export function signJWT(header: JWTHeader, claims: JWTClaims, privateKey: KeyObject): string {
  const alg = algorithms[header.alg];
  if (!alg) throw new Error(`unsupported JWT algorithm ${header.alg}`);
  const input = `${b64(JSON.stringify(header))}.${b64(JSON.stringify(claims))}`;
  const signature = sign(alg.hash, Buffer.from(input), { key: privateKey, dsaEncoding: alg.dsaEncoding });
  return `${input}.${signature.toString('base64url')}`;
}

/** True when `key` (public, or a private key's public half) made the token's signature with the header's algorithm. */
export function verifySignature(jwt: ParsedJWT, key: KeyObject): boolean {
  const alg = algorithms[jwt.header.alg];
  if (!alg) return false;
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  if (pub.asymmetricKeyType !== alg.keyType) return false;
  try {
    return verify(alg.hash, Buffer.from(jwt.signingInput), { key: pub, dsaEncoding: alg.dsaEncoding }, jwt.signature);
  } catch {
    return false;
  }
}

/** kube's key id: the unpadded base64url SHA-256 of the public key's PKIX DER (keyIDFromPublicKey). */
export function keyID(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return createHash('sha256').update(pub.export({ type: 'spki', format: 'der' })).digest('base64url');
}

/** The aud claim as a list (a JWT may send one string). */
export function audiencesOf(claims: JWTClaims): string[] {
  if (typeof claims.aud === 'string') return [claims.aud];
  return Array.isArray(claims.aud) ? claims.aud.filter((a): a is string => typeof a === 'string') : [];
}

function b64(s: string): string {
  return Buffer.from(s).toString('base64url');
}
