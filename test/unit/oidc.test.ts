// OIDC ID tokens (server/authentication/oidc/): against a real https provider the test runs (its own
// CA, keys it rotates): discovery, the JWKS and refetching it for an unknown kid (rate-limited), the
// claim checks (iss, aud, exp, nbf, algorithms, required claims, email_verified) and kube's username
// and groups rules.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OIDCAuthenticator, type OIDCOptions, usernamePrefix } from '../../server/authentication/oidc/authenticator.js';
import { RemoteKeySet } from '../../server/authentication/oidc/keys.js';
import { type OIDCProvider, startOIDCProvider } from '../support/oidc-provider.js';
import { selfSignedCertificate, type TestCertificate } from '../support/tls.js';

let dir: string;
let cert: TestCertificate;
let provider: OIDCProvider;
beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'oidc-'));
  cert = selfSignedCertificate(dir);
  provider = await startOIDCProvider(cert, 'kubernetes');
});
afterAll(async () => {
  await provider?.close();
  rmSync(dir, { recursive: true, force: true });
});

function authenticator(opts: Partial<OIDCOptions> = {}, keyOpts: { refreshIntervalMs?: number; ca?: string } = {}): OIDCAuthenticator {
  return new OIDCAuthenticator({
    issuerURL: provider.issuer, clientID: 'kubernetes', usernameClaim: 'sub', usernamePrefix: usernamePrefix(undefined, provider.issuer, 'sub'),
    requiredClaims: {}, signingAlgs: ['RS256', 'ES256'],
    keys: new RemoteKeySet({ issuerURL: provider.issuer, ca: cert.cert, refreshIntervalMs: 0, ...keyOpts }),
    ...opts,
  });
}

describe('kube\'s username prefix rules', () => {
  it('prefixes with "<issuer>#" unless the claim is email; "-" disables; a given prefix is used', () => {
    expect(usernamePrefix(undefined, 'https://idp', 'sub')).toBe('https://idp#');
    expect(usernamePrefix(undefined, 'https://idp', 'email')).toBe('');
    expect(usernamePrefix('-', 'https://idp', 'sub')).toBe('');
    expect(usernamePrefix('oidc:', 'https://idp', 'email')).toBe('oidc:');
  });
});

describe('OIDC ID tokens', () => {
  it('authenticate with the username and groups claims, prefixed', async () => {
    const a = authenticator({ groupsClaim: 'groups', groupsPrefix: 'oidc:' });
    expect((await a.authenticateToken(provider.idToken({ sub: 'alice', groups: ['dev', 'ops'] })))?.user).toEqual({ name: `${provider.issuer}#alice`, groups: ['oidc:dev', 'oidc:ops'] });
    // One group as a string.
    expect((await a.authenticateToken(provider.idToken({ sub: 'bob', groups: 'dev' })))?.user.groups).toEqual(['oidc:dev']);
    // Another issuer's token is not ours to judge.
    expect(await a.authenticateToken(provider.idToken({ sub: 'x', iss: 'https://elsewhere' }))).toBeUndefined();
  });

  it('refuse another audience, an expired token, a token not yet valid, a foreign key, an algorithm not allowed', async () => {
    const a = authenticator();
    const now = Math.floor(Date.now() / 1000);
    await expect(a.authenticateToken(provider.idToken({ sub: 'a', aud: 'other' }))).rejects.toThrow('oidc: verify token: oidc: expected audience in ["kubernetes"] got ["other"]');
    await expect(a.authenticateToken(provider.idToken({ sub: 'a', exp: now - 10 }))).rejects.toThrow(/oidc: token is expired/);
    await expect(a.authenticateToken(provider.idToken({ sub: 'a', nbf: now + 3600 }))).rejects.toThrow(/before the nbf/);
    const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    await expect(a.authenticateToken(provider.idToken({ sub: 'a' }, { key: foreign }))).rejects.toThrow(/failed to verify signature/);
    await expect(authenticator({ signingAlgs: ['RS256'] }).authenticateToken(provider.idToken({ sub: 'a' }, { alg: 'RS512' }))).rejects.toThrow('oidc: id token signed with unsupported algorithm, expected ["RS256"] got "RS512"');
  });

  it('check required claims and, for the email claim, email_verified', async () => {
    const a = authenticator({ requiredClaims: { hd: 'example.com' } });
    expect((await a.authenticateToken(provider.idToken({ sub: 'a', hd: 'example.com' })))?.user.name).toBe(`${provider.issuer}#a`);
    await expect(a.authenticateToken(provider.idToken({ sub: 'a', hd: 'evil.com' }))).rejects.toThrow('oidc: required claim hd value does not match. Got = evil.com, want = example.com');
    await expect(a.authenticateToken(provider.idToken({ sub: 'a' }))).rejects.toThrow('oidc: required claim hd not present in ID token');
    const email = authenticator({ usernameClaim: 'email', usernamePrefix: usernamePrefix(undefined, provider.issuer, 'email') });
    expect((await email.authenticateToken(provider.idToken({ email: 'jane@example.com', email_verified: true })))?.user.name).toBe('jane@example.com');
    expect((await email.authenticateToken(provider.idToken({ email: 'jane@example.com' })))?.user.name).toBe('jane@example.com');
    await expect(email.authenticateToken(provider.idToken({ email: 'jane@example.com', email_verified: false }))).rejects.toThrow('oidc: email not verified');
    await expect(email.authenticateToken(provider.idToken({ sub: 'no-email' }))).rejects.toThrow('oidc: parse username claims "email"');
  });

  it('follow key rotation: an unknown kid refetches the JWKS, at most once per interval', async () => {
    const a = authenticator({}, { refreshIntervalMs: 60_000 });
    expect(await a.authenticateToken(provider.idToken({ sub: 'a' }))).toBeTruthy();
    const before = provider.jwksFetches();
    provider.rotate('ec');
    // Within the interval the new key is not fetched yet...
    await expect(a.authenticateToken(provider.idToken({ sub: 'a' }))).rejects.toThrow(/failed to verify signature/);
    expect(provider.jwksFetches()).toBe(before);
    // ...with no rate limit it is, and ES256 verifies.
    const b = authenticator();
    expect((await b.authenticateToken(provider.idToken({ sub: 'a' })))?.user.name).toBe(`${provider.issuer}#a`);
    provider.rotate('rsa');
    expect((await b.authenticateToken(provider.idToken({ sub: 'b' })))?.user.name).toBe(`${provider.issuer}#b`);
    // A flood of made-up kids costs one fetch per interval.
    const c = authenticator({}, { refreshIntervalMs: 60_000 });
    await c.authenticateToken(provider.idToken({ sub: 'a' }));
    const fetched = provider.jwksFetches();
    for (let i = 0; i < 5; i++) await expect(c.authenticateToken(provider.idToken({ sub: 'a' }, { kid: `forged-${i}` }))).rejects.toThrow();
    expect(provider.jwksFetches()).toBe(fetched);
  });

  it('trust only the provider certificate --oidc-ca-file names', async () => {
    const other = selfSignedCertificate(dir, 'other');
    const a = authenticator({}, { ca: other.cert });
    await expect(a.authenticateToken(provider.idToken({ sub: 'a' }))).rejects.toThrow(/fetching keys/);
  });
});
