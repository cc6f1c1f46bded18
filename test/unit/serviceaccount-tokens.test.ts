// Service-account JWTs: signing and verification (server/authentication/jwt.ts), kube's key id, the
// bound and legacy claims and their checks (serviceaccount/claims.ts), the authenticator's issuer and
// audience rules, key files with several keys, and issuer discovery's documents.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../server/api/object.js';
import { AuthenticationFailed } from '../../server/authentication/authenticator.js';
import { keyID, parseJWT, signJWT, verifySignature } from '../../server/authentication/jwt.js';
import { ServiceAccountTokenAuthenticator } from '../../server/authentication/serviceaccount/authenticator.js';
import { boundClaims, InvalidToken, type ObjectGetter, validateBound } from '../../server/authentication/serviceaccount/claims.js';
import { issuerDiscovery } from '../../server/authentication/serviceaccount/discovery.js';
import { TokenIssuer } from '../../server/authentication/serviceaccount/issuer.js';
import { publicKeysFromFile } from '../../server/authentication/serviceaccount/keys.js';

const rsa = () => generateKeyPairSync('rsa', { modulusLength: 2048 });
const { privateKey, publicKey } = rsa();
const issuer = 'https://kubernetes.default.svc.cluster.local';

/** The kube-apiserver 1.35 peer's public key and the kid it signed its tokens with. */
const peerPublicKey = `-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAxnnVFLs0hgoS1Yah25OX
rlBOoYlWmzG12gHiA0e6EBLiGiG6s9/3cMJyU5oMCnDaHJAo2f7CQBIChc2v49Sv
vq+PtQhu2XHNeicM7XUEflzIIyI+UPQIDglkG5U3j2kfz7+E5gTJpwww+gTY3H/k
z2FOfMMk0AsoEPSosCppV2AIU+LhZB5r2oEqjS2KMvzRT0h9mYWBoh+Fp+9DkqYG
lpGhH3cgUMnsl0V7xQA9lUj+fjCibgRrxFjkAgZEiYirG0enzotxjsLGwlb8t43n
Ca4svmWydmylzjGAUPctalzC2ZyyrR1cPT9sQU605TqW9Xf+lmuVnU9S4//aGV0W
DwIDAQAB
-----END PUBLIC KEY-----
`;
const peerKid = 'ob9oSJxKobfj8W8jRsFM_hBcaX_WqGKBIP0hqOyC99Y';

const dir = mkdtempSync(path.join(os.tmpdir(), 'sa-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function obj(name: string, uid: string, extra: Partial<KubeObject['metadata']> = {}, rest: Record<string, unknown> = {}): KubeObject {
  return { metadata: { name, namespace: 'ns', uid, ...extra }, ...rest } as KubeObject;
}

/** An in-memory getter over a few objects the tests change. */
function objects() {
  const sa = new Map<string, KubeObject>([['bot', obj('bot', 'sa-uid')]]);
  const pods = new Map<string, KubeObject>([['p1', obj('p1', 'pod-uid', {}, { spec: { serviceAccountName: 'bot', nodeName: 'n1' } })]]);
  const secrets = new Map<string, KubeObject>();
  const nodes = new Map<string, KubeObject>([['n1', obj('n1', 'node-uid')]]);
  const getter: ObjectGetter = {
    serviceAccount: async (_ns, n) => sa.get(n),
    pod: async (_ns, n) => pods.get(n),
    secret: async (_ns, n) => secrets.get(n),
    node: async (n) => nodes.get(n),
  };
  return { sa, pods, secrets, nodes, getter };
}

describe('JWT', () => {
  it('signs RS256 and ES256 tokens that verify with the public key and with nothing else', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    for (const [alg, priv, pub] of [['RS256', privateKey, publicKey], ['ES256', ec.privateKey, ec.publicKey]] as [string, KeyObject, KeyObject][]) {
      const token = signJWT({ alg, kid: 'k' }, { sub: 'me', aud: ['a'] }, priv);
      const jwt = parseJWT(token)!;
      expect(jwt.header).toEqual({ alg, kid: 'k' });
      expect(jwt.claims).toEqual({ sub: 'me', aud: ['a'] });
      expect(verifySignature(jwt, pub)).toBe(true);
      expect(verifySignature(jwt, priv)).toBe(true);
      expect(verifySignature(jwt, rsa().publicKey)).toBe(false);
      // A changed payload no longer matches its signature.
      const [h, , s] = token.split('.');
      const forged = parseJWT(`${h}.${Buffer.from(JSON.stringify({ sub: 'admin', aud: ['a'] })).toString('base64url')}.${s}`)!;
      expect(verifySignature(forged, pub)).toBe(false);
    }
  });

  it('refuses what is no compact JWS, and alg none', () => {
    expect(parseJWT('abc')).toBeUndefined();
    expect(parseJWT('a.b.c')).toBeUndefined();
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}.`;
    expect(verifySignature(parseJWT(none)!, publicKey)).toBe(false);
  });

  it('computes the key id kube-apiserver computes for the same key', () => {
    const file = path.join(dir, 'peer.pub');
    writeFileSync(file, peerPublicKey);
    expect(keyID(publicKeysFromFile(file)[0])).toBe(peerKid);
  });
});

describe('key files', () => {
  it('reads every key of a bundle: public keys and the public half of private keys, skipping certificates', () => {
    const other = rsa();
    const file = path.join(dir, 'bundle.pem');
    writeFileSync(file, [
      privateKey.export({ type: 'pkcs1', format: 'pem' }),
      other.publicKey.export({ type: 'spki', format: 'pem' }),
      '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
    ].join(''));
    expect(publicKeysFromFile(file).map(keyID)).toEqual([keyID(publicKey), keyID(other.publicKey)]);
    const empty = path.join(dir, 'empty.pem');
    writeFileSync(empty, 'nothing');
    expect(() => publicKeysFromFile(empty)).toThrow(/no public or private key/);
  });
});

describe('bound tokens', () => {
  const now = 1_800_000_000;
  const { sa, pods, nodes, getter } = objects();

  it('carry kube\'s claims, in its order, and the user kube derives from them', async () => {
    const claims = boundClaims(sa.get('bot')!, { pod: pods.get('p1'), node: nodes.get('n1') }, 3600, ['api'], now);
    expect(Object.keys(claims)).toEqual(['aud', 'exp', 'iat', 'jti', 'kubernetes.io', 'nbf', 'sub']);
    expect(claims).toMatchObject({
      aud: ['api'], exp: now + 3600, iat: now, nbf: now, sub: 'system:serviceaccount:ns:bot',
      'kubernetes.io': { namespace: 'ns', node: { name: 'n1', uid: 'node-uid' }, pod: { name: 'p1', uid: 'pod-uid' }, serviceaccount: { name: 'bot', uid: 'sa-uid' } },
    });
    expect(Object.keys(claims['kubernetes.io'])).toEqual(['namespace', 'node', 'pod', 'serviceaccount']);
    const info = await validateBound(claims, getter, now + 10);
    expect(info).toEqual({ namespace: 'ns', name: 'bot', uid: 'sa-uid', podName: 'p1', podUID: 'pod-uid', nodeName: 'n1', nodeUID: 'node-uid', credentialID: `JTI=${claims.jti}` });
  });

  it('are refused once expired (past a minute of leeway), before nbf, or when what they name is gone or replaced', async () => {
    const claims = boundClaims(sa.get('bot')!, { pod: pods.get('p1') }, 600, ['api'], now);
    await expect(validateBound(claims, getter, now + 600 + 59)).resolves.toBeTruthy();
    await expect(validateBound(claims, getter, now + 600 + 61)).rejects.toThrow('service account token has expired');
    await expect(validateBound(claims, getter, now - 61)).rejects.toThrow('service account token is not valid yet');
    const o = objects();
    o.pods.set('p1', obj('p1', 'other-uid'));
    await expect(validateBound(claims, o.getter, now)).rejects.toThrow('pod UID (other-uid) does not match service account pod ref claim (pod-uid)');
    o.pods.set('p1', obj('p1', 'pod-uid', { deletionTimestamp: new Date((now - 120) * 1000).toISOString() }));
    await expect(validateBound(claims, o.getter, now)).rejects.toThrow('service account token has been invalidated');
    o.pods.delete('p1');
    await expect(validateBound(claims, o.getter, now)).rejects.toThrow('service account token has been invalidated');
    o.sa.set('bot', obj('bot', 'new-sa-uid'));
    await expect(validateBound(claims, o.getter, now)).rejects.toThrow('service account UID (new-sa-uid) does not match claim (sa-uid)');
    o.sa.delete('bot');
    await expect(validateBound(claims, o.getter, now)).rejects.toBeInstanceOf(InvalidToken);
  });
});

describe('the service-account authenticator', () => {
  const { sa, getter } = objects();
  const tokens = new TokenIssuer(issuer, privateKey);
  const auth = (implicitAudiences = [issuer]) => new ServiceAccountTokenAuthenticator({ kind: 'bound', issuers: [issuer], keys: [publicKey], implicitAudiences, getter, lookup: true });
  const token = (audiences: string[]) => tokens.generateToken(boundClaims(sa.get('bot')!, {}, 3600, audiences, Math.floor(Date.now() / 1000)));

  it('authenticates its own tokens as the service account', async () => {
    const r = await auth().authenticateToken(token([issuer]));
    expect(r?.user).toMatchObject({ name: 'system:serviceaccount:ns:bot', uid: 'sa-uid', groups: ['system:serviceaccounts', 'system:serviceaccounts:ns'] });
    expect(r?.audiences).toEqual([issuer]);
    expect(parseJWT(token([issuer]))!.header).toEqual({ alg: 'RS256', kid: keyID(publicKey) });
  });

  it('fails a token for another audience, or signed by a foreign key; passes on other issuers\' tokens', async () => {
    await expect(auth().authenticateToken(token(['vault']))).rejects.toThrow('token audiences ["vault"] is invalid for the target audiences ["https://kubernetes.default.svc.cluster.local"]');
    expect((await auth().authenticateToken(token(['vault']), ['vault']))?.audiences).toEqual(['vault']);
    const foreign = new TokenIssuer(issuer, rsa().privateKey).generateToken(boundClaims(sa.get('bot')!, {}, 3600, [issuer], Math.floor(Date.now() / 1000)));
    await expect(auth().authenticateToken(foreign)).rejects.toBeInstanceOf(AuthenticationFailed);
    const elsewhere = new TokenIssuer('https://other', privateKey).generateToken(boundClaims(sa.get('bot')!, {}, 3600, [issuer], Math.floor(Date.now() / 1000)));
    expect(await auth().authenticateToken(elsewhere)).toBeUndefined();
    expect(await auth().authenticateToken('not-a-jwt')).toBeUndefined();
  });
});

describe('issuer discovery', () => {
  it('serves kube\'s documents for an https issuer only', () => {
    const d = issuerDiscovery(issuer, [publicKey], 'https://10.0.0.1:6443/openid/v1/jwks')!;
    expect(JSON.parse(d.openIDConfiguration)).toEqual({
      issuer, jwks_uri: 'https://10.0.0.1:6443/openid/v1/jwks', response_types_supported: ['id_token'],
      subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'],
    });
    const [jwk] = JSON.parse(d.jwks).keys;
    expect(Object.keys(jwk)).toEqual(['use', 'kty', 'kid', 'alg', 'n', 'e']);
    expect(jwk).toMatchObject({ use: 'sig', kty: 'RSA', kid: keyID(publicKey), alg: 'RS256', e: 'AQAB' });
    expect(issuerDiscovery('kubernetes/serviceaccount', [publicKey], 'https://x/openid/v1/jwks')).toBeUndefined();
  });
});
