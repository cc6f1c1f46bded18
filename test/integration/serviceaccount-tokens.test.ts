// Service-account tokens end to end against a real server with keys the test generates, driven by
// kubectl: create token -> use it -> whoami is the service account; tokens for another audience,
// expired, signed by a foreign key, or naming a deleted service account or pod are 401; legacy
// Secret tokens; TokenReview; the issuer's discovery documents verify the tokens it issues; and OIDC
// ID tokens from a provider the test runs.
import { execFile } from 'node:child_process';
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../server/api/object.js';
import { keyID, signJWT } from '../../server/authentication/jwt.js';
import { boundClaims } from '../../server/authentication/serviceaccount/claims.js';
import { type ApiServerProcess, type Etcd, kubectlPath, startApiServer, startEtcd } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { kubectl, ok } from '../support/kubectl.js';
import { type OIDCProvider, startOIDCProvider } from '../support/oidc-provider.js';
import { selfSignedCertificate } from '../support/tls.js';

const execFileAsync = promisify(execFile);
const issuer = 'https://kubernetes.default.svc.cluster.local';
const signing = generateKeyPairSync('rsa', { modulusLength: 2048 });
const retired = generateKeyPairSync('rsa', { modulusLength: 2048 });
const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 });

let dir: string;
let etcd: Etcd | undefined;
let server: ApiServerProcess | undefined;
let kubeconfig: string;
let provider: OIDCProvider | undefined;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'sa-tokens-'));
  const tls = selfSignedCertificate(dir);
  const signingKeyFile = path.join(dir, 'sa.key');
  writeFileSync(signingKeyFile, signing.privateKey.export({ type: 'pkcs8', format: 'pem' }));
  // The verification keys: a bundle with the signing key's public half and a retired key's.
  const keyFile = path.join(dir, 'sa.pub');
  writeFileSync(keyFile, `${signing.publicKey.export({ type: 'spki', format: 'pem' })}${retired.publicKey.export({ type: 'spki', format: 'pem' })}`);
  const tokenFile = path.join(dir, 'tokens.csv');
  writeFileSync(tokenFile, 'admin-token,admin,admin-uid,"system:masters"\n');
  provider = await startOIDCProvider(tls, 'kubernetes');
  etcd = await startEtcd(dir);
  server = await startApiServer(etcd.url, [
    `--oidc-issuer-url=${provider.issuer}`, '--oidc-client-id=kubernetes', `--oidc-ca-file=${tls.certFile}`, '--oidc-username-claim=email',
    '--oidc-groups-claim=groups', '--oidc-groups-prefix=oidc:', '--oidc-signing-algs=RS256,ES256',
    `--tls-cert-file=${tls.certFile}`, `--tls-private-key-file=${tls.keyFile}`, `--token-auth-file=${tokenFile}`,
    `--service-account-signing-key-file=${signingKeyFile}`, `--service-account-key-file=${keyFile}`, `--service-account-issuer=${issuer}`,
  ]);
  kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, [
    'apiVersion: v1', 'kind: Config',
    'clusters:', `- cluster: {server: "${server.url}", insecure-skip-tls-verify: true}`, '  name: test',
    'contexts:', '- context: {cluster: test, user: admin, namespace: default}', '  name: test',
    'current-context: test', 'users:', '- name: admin', '  user: {token: admin-token}', '',
  ].join('\n'));
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await etcd?.stop();
  await provider?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const k = (...args: string[]) => kubectl(kubeconfig, args);
/** kubectl auth whoami as the holder of `token`: the user, or kubectl's failure. */
function whoami(token: string): { code: number; user?: Record<string, unknown>; stderr: string } {
  const r = k('--token', token, 'auth', 'whoami', '-o', 'json');
  return { code: r.code, stderr: r.stderr, user: r.code === 0 ? JSON.parse(r.stdout).status.userInfo : undefined };
}
/** whoami without blocking this process: the server may be fetching keys from the OIDC provider it serves. */
async function whoamiAsync(token: string): Promise<{ user?: Record<string, unknown>; stderr: string }> {
  try {
    const r = await execFileAsync(kubectlPath, ['--token', token, 'auth', 'whoami', '-o', 'json'], { env: { ...process.env, KUBECONFIG: kubeconfig } });
    return { user: JSON.parse(r.stdout).status.userInfo, stderr: r.stderr };
  } catch (e) {
    return { stderr: String((e as { stderr?: string }).stderr) };
  }
}
function getJSON(...args: string[]): KubeObject {
  return JSON.parse(ok(k('get', '-o', 'json', ...args))) as KubeObject;
}
function httpsGet(urlPath: string): Promise<{ status: number; contentType: string; body: string }> {
  return new Promise((resolve, reject) => {
    https.get(`${server!.url}${urlPath}`, { rejectUnauthorized: false, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type']), body }));
    }).on('error', reject);
  });
}
const unauthorized = /You must be logged in to the server \(Unauthorized\)/;

describe('kubectl create token', () => {
  it('issues a token that authenticates as the service account (kubectl --token ... auth whoami)', () => {
    ok(k('create', 'serviceaccount', 'bot'));
    const sa = getJSON('serviceaccount', 'bot');
    const token = ok(k('create', 'token', 'bot')).trim();
    const me = whoami(token);
    expect(me.stderr).toBe('');
    expect(me.user).toMatchObject({
      username: 'system:serviceaccount:default:bot', uid: sa.metadata.uid,
      groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'],
      extra: { 'authentication.kubernetes.io/credential-id': [expect.stringMatching(/^JTI=[0-9a-f-]{36}$/)] },
    });
    // The table kubectl prints by default, too.
    expect(ok(k('--token', token, 'auth', 'whoami'))).toMatch(/Username\s+system:serviceaccount:default:bot/);
    // Signed with the signing key, named by kube's key id.
    const header = JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString());
    expect(header).toEqual({ alg: 'RS256', kid: keyID(signing.publicKey) });
  });

  it('honours --audience and --duration, and refuses durations under ten minutes as kube does', () => {
    const token = ok(k('create', 'token', 'bot', '--audience', 'vault', '--duration', '20m')).trim();
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    expect(claims.aud).toEqual(['vault']);
    expect(claims.exp - claims.iat).toBe(1200);
    // Not for the API server: 401.
    const other = whoami(token);
    expect(other.code).not.toBe(0);
    expect(other.stderr).toMatch(unauthorized);
    const short = k('create', 'token', 'bot', '--duration', '5m');
    expect(short.code).not.toBe(0);
    expect(short.stderr).toContain('TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes');
    expect(k('create', 'token', 'nobody').stderr).toContain('serviceaccounts "nobody" not found');
  });

  it('binds a token to a pod: whoami names the pod, and the token dies with it', async () => {
    ok(kubectl(kubeconfig, ['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p1' }, spec: { serviceAccountName: 'bot', containers: [{ name: 'c', image: 'busybox' }] } })));
    const pod = getJSON('pod', 'p1');
    const token = ok(k('create', 'token', 'bot', '--bound-object-kind', 'Pod', '--bound-object-name', 'p1')).trim();
    expect(whoami(token).user?.extra).toMatchObject({ 'authentication.kubernetes.io/pod-name': ['p1'], 'authentication.kubernetes.io/pod-uid': [pod.metadata.uid] });
    const wrongUid = k('create', 'token', 'bot', '--bound-object-kind', 'Pod', '--bound-object-name', 'p1', '--bound-object-uid', 'not-the-uid');
    expect(wrongUid.stderr).toContain('the UID in the bound object reference (not-the-uid) does not match the UID in record');
    expect(k('delete', 'pod', 'p1', '--grace-period=0', '--force').code).toBe(0);
    await eventually(() => unauthorized.test(whoami(token).stderr), { what: 'the pod-bound token to stop authenticating' });
  });

  it('stops authenticating tokens of a deleted service account (and of one recreated with the same name)', async () => {
    ok(k('create', 'serviceaccount', 'temp'));
    const token = ok(k('create', 'token', 'temp')).trim();
    expect(whoami(token).user?.username).toBe('system:serviceaccount:default:temp');
    ok(k('delete', 'serviceaccount', 'temp'));
    ok(k('create', 'serviceaccount', 'temp'));
    await eventually(() => unauthorized.test(whoami(token).stderr), { what: 'the old service account\'s token to stop authenticating' });
  });
});

describe('tokens the server did not issue, or no longer accepts', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const bot = (): KubeObject => getJSON('serviceaccount', 'bot');
  const sign = (claims: Record<string, unknown>, key = signing.privateKey) => signJWT({ alg: 'RS256', kid: keyID(key) }, { ...claims, iss: issuer }, key);

  it('are 401: expired, signed by a foreign key', () => {
    expect(whoami(sign(boundClaims(bot(), {}, 3600, [issuer], now()))).code).toBe(0);
    const expired = sign(boundClaims(bot(), {}, 600, [issuer], now() - 3600));
    expect(whoami(expired).stderr).toMatch(unauthorized);
    expect(whoami(sign(boundClaims(bot(), {}, 3600, [issuer], now()), foreign.privateKey)).stderr).toMatch(unauthorized);
    // A key of --service-account-key-file that no longer signs still verifies.
    expect(whoami(sign(boundClaims(bot(), {}, 3600, [issuer], now()), retired.privateKey)).code).toBe(0);
  });

  it('TokenReview says why', () => {
    // --validate=false: kubectl validates a kind without PATCH against OpenAPI v2, which is served as JSON only here (kubectl asks for protobuf).
    const review = (token: string, audiences?: string[]) => JSON.parse(ok(kubectl(kubeconfig, ['create', '--validate=false', '-f', '-', '-o', 'json'],
      JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, ...(audiences ? { audiences } : {}) } })))).status;
    const good = ok(k('create', 'token', 'bot')).trim();
    expect(review(good)).toMatchObject({ authenticated: true, user: { username: 'system:serviceaccount:default:bot' }, audiences: [issuer] });
    expect(review(sign(boundClaims(bot(), {}, 600, [issuer], now() - 3600)))).toEqual({ user: {}, error: 'service account token has expired' });
    expect(review('garbage')).toEqual({ user: {}, error: 'invalid bearer token' });
    const vault = ok(k('create', 'token', 'bot', '--audience', 'vault')).trim();
    expect(review(vault, ['vault'])).toMatchObject({ authenticated: true, audiences: ['vault'] });
    expect(review(vault).error).toBe(`token audiences ["vault"] is invalid for the target audiences ["${issuer}"]`);
    expect(review('admin-token')).toMatchObject({ authenticated: true, user: { username: 'admin', groups: ['system:masters', 'system:authenticated'] } });
  });

  it('legacy Secret tokens authenticate while their Secret holds them', async () => {
    const sa = bot();
    const legacy = signJWT({ alg: 'RS256', kid: keyID(signing.publicKey) }, {
      iss: 'kubernetes/serviceaccount',
      'kubernetes.io/serviceaccount/namespace': 'default',
      'kubernetes.io/serviceaccount/secret.name': 'bot-token',
      'kubernetes.io/serviceaccount/service-account.name': 'bot',
      'kubernetes.io/serviceaccount/service-account.uid': sa.metadata.uid,
      sub: 'system:serviceaccount:default:bot',
    }, signing.privateKey);
    expect(whoami(legacy).stderr).toMatch(unauthorized);
    ok(kubectl(kubeconfig, ['create', '-f', '-'], JSON.stringify({
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bot-token', annotations: { 'kubernetes.io/service-account.name': 'bot' } },
      type: 'kubernetes.io/service-account-token', data: { token: Buffer.from(legacy).toString('base64') },
    })));
    await eventually(() => whoami(legacy).user?.username === 'system:serviceaccount:default:bot', { what: 'the legacy token to authenticate' });
    expect(whoami(legacy).user).toEqual({ username: 'system:serviceaccount:default:bot', uid: sa.metadata.uid, groups: ['system:serviceaccounts', 'system:serviceaccounts:default', 'system:authenticated'] });
    ok(k('delete', 'secret', 'bot-token'));
    await eventually(() => unauthorized.test(whoami(legacy).stderr), { what: 'the legacy token to stop authenticating' });
  });
});

describe('service-account issuer discovery', () => {
  it('serves the OpenID configuration and the JWKS that verifies issued tokens', async () => {
    const config = await httpsGet('/.well-known/openid-configuration');
    expect([config.status, config.contentType]).toEqual([200, 'application/json']);
    expect(JSON.parse(config.body)).toEqual({
      issuer, jwks_uri: `${server!.url}/openid/v1/jwks`, response_types_supported: ['id_token'],
      subject_types_supported: ['public'], id_token_signing_alg_values_supported: ['RS256'],
    });
    const jwks = await httpsGet('/openid/v1/jwks');
    expect([jwks.status, jwks.contentType]).toEqual([200, 'application/jwk-set+json']);
    const keys = JSON.parse(jwks.body).keys as { kid: string }[];
    expect(keys.map((key) => key.kid)).toEqual([keyID(signing.publicKey), keyID(retired.publicKey)]);
    const token = ok(k('create', 'token', 'bot')).trim();
    const [h, p, s] = token.split('.');
    const jwk = keys.find((key) => key.kid === JSON.parse(Buffer.from(h, 'base64url').toString()).kid)!;
    expect(verify('sha256', Buffer.from(`${h}.${p}`), createPublicKey({ key: jwk as never, format: 'jwk' }), Buffer.from(s, 'base64url'))).toBe(true);
  });
});

describe('OIDC', () => {
  it('authenticates the provider\'s ID tokens (email username, prefixed groups), across a key rotation; refuses bad ones', async () => {
    const p = provider!;
    expect((await whoamiAsync(p.idToken({ email: 'jane@example.com', email_verified: true, groups: ['dev'] }))).user).toEqual({
      username: 'jane@example.com', groups: ['oidc:dev', 'system:authenticated'],
    });
    p.rotate('ec');
    // The new kid is fetched at most once per rate-limit interval (10 s): wait for it rather than assume.
    const reviewed = async () => {
      const r = await execFileAsync('curl', ['-sk', '-m', '10', '-XPOST', '-H', 'Authorization: Bearer admin-token', '-H', 'Content-Type: application/json',
        `${server!.url}/apis/authentication.k8s.io/v1/tokenreviews`, '-d', JSON.stringify({ spec: { token: p.idToken({ email: 'jane@example.com' }) } })]);
      return JSON.parse(r.stdout).status.user.username === 'jane@example.com';
    };
    await eventually(reviewed, { what: 'the rotated ES256 key to be fetched', intervalMs: 1000 });
    expect((await whoamiAsync(p.idToken({ email: 'jane@example.com' }))).user?.username).toBe('jane@example.com');
    const now = Math.floor(Date.now() / 1000);
    for (const bad of [
      p.idToken({ email: 'jane@example.com', exp: now - 60 }),
      p.idToken({ email: 'jane@example.com', aud: 'someone-else' }),
      p.idToken({ email: 'jane@example.com', email_verified: false }),
      p.idToken({ email: 'jane@example.com' }, { key: foreign.privateKey }),
    ]) expect((await whoamiAsync(bad)).stderr).toMatch(unauthorized);
  }, 120_000);
});
