// A small OIDC provider for tests: an https server (the test's own certificate) serving discovery
// and a JWKS, whose keys the test rotates, and which mints ID tokens with any claims.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { algorithmFor, signJWT } from '../../server/authentication/jwt.js';
import type { TestCertificate } from './tls.js';

export interface OIDCProvider {
  issuer: string;
  /** How many times the JWKS was fetched. */
  jwksFetches(): number;
  /** A new signing key (RSA or EC P-256) that replaces the current one in the JWKS; `keep` leaves the old one listed. */
  rotate(kind?: 'rsa' | 'ec', keep?: boolean): void;
  /** An ID token signed with the current key: iss, aud and exp filled unless `claims` says otherwise. */
  idToken(claims: Record<string, unknown>, opts?: { key?: KeyObject; kid?: string; alg?: string }): string;
  close(): Promise<void>;
}

interface SigningKey { kid: string; privateKey: KeyObject; publicKey: KeyObject }

export async function startOIDCProvider(cert: TestCertificate, clientID: string): Promise<OIDCProvider> {
  let n = 0;
  let fetches = 0;
  const newKey = (kind: 'rsa' | 'ec'): SigningKey => {
    const pair = kind === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
    return { kid: `key-${++n}`, ...pair };
  };
  let keys: SigningKey[] = [newKey('rsa')];
  let issuer = '';
  const server = https.createServer({ cert: cert.cert, key: cert.key }, (req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/keys`, id_token_signing_alg_values_supported: ['RS256', 'ES256'] }));
    } else if (req.url === '/keys') {
      fetches++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: keys.map((k) => ({ ...(k.publicKey.export({ format: 'jwk' }) as object), kid: k.kid, use: 'sig', alg: algorithmFor(k.privateKey) })) }));
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    jwksFetches: () => fetches,
    rotate(kind = 'rsa', keep = false) {
      keys = keep ? [newKey(kind), ...keys] : [newKey(kind)];
    },
    idToken(claims, opts = {}) {
      const current = keys[0];
      const key = opts.key ?? current.privateKey;
      const now = Math.floor(Date.now() / 1000);
      return signJWT({ alg: opts.alg ?? algorithmFor(key), kid: opts.kid ?? current.kid }, { iss: issuer, aud: clientID, iat: now, exp: now + 600, ...claims }, key);
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
