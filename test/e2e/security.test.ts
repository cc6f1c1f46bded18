// The default `npm start` as a new user meets it: TLS everywhere, the admin's client certificate,
// RBAC, impersonation, service-account tokens, CSRs, audit lines, and every kind of bad credential
// answered 401 — through the real launcher, kubectl, helm and client-node's informer.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import * as k8s from '@kubernetes/client-node';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { ProxySigner } from '../../pki/front-proxy-proof.js';
import { readKubeconfig } from '../../pki/kubeconfig.js';
import { clientKubeconfig, issue, loadIssued, newCA, pkiFiles, revoke } from '../../pki/pki.js';
import { helmPath } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { kubectl, ok } from '../support/kubectl.js';
import { type LauncherResult, runLauncher, startLauncherOnFreePorts } from '../support/launcher.js';

interface Raw { status: number; body: string }

describe('security: the default control plane is TLS with identities, RBAC and audit', () => {
  let dir: string;
  let port: number;
  let started: LauncherResult;
  let admin: string;
  let lbUrl: string;
  const pki = () => pkiFiles(path.join(dir, 'pki'));
  const k = (...args: string[]) => kubectl(admin, args);

  /** A kubeconfig for a client certificate the cluster CA (or `ca`) signs. */
  const userKubeconfig = (name: string, cn: string, groups: string[] = [], ca = loadIssued(pki().caCert, pki().caKey), opts: { notBefore?: Date; notAfter?: Date } = {}) => {
    const client = issue(ca, { commonName: cn, organizations: groups, usage: 'client', ...opts });
    const file = path.join(dir, `${name}.kubeconfig`);
    writeFileSync(file, clientKubeconfig(lbUrl, readFileSync(pki().caCert, 'utf8'), client, name));
    return { file, certPem: client.certPem };
  };

  const frontProxyClient = () => ({ cert: readFileSync(pki().frontProxyClientCert, 'utf8'), key: readFileSync(pki().frontProxyClientKey, 'utf8') });

  /** One HTTPS request to the LB or an instance, trusting the cluster CA. */
  const raw = (url: string, headers: Record<string, string> = {}, client?: { cert: string; key: string }): Promise<Raw> =>
    new Promise((resolve, reject) => {
      const req = https.request(url, { ca: readFileSync(pki().caCert), headers, ...client, timeout: 10000 }, (res) => {
        let body = '';
        res.on('data', (c) => { body += c; });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });

  beforeAll(async () => {
    ({ dir, port, started } = await startLauncherOnFreePorts('security-e2e-', ['--etcd-members=1', '--no-redis', '--apiservers=2']));
    expect(started.code, started.stderr).toBe(0);
    admin = path.join(dir, 'kubeconfig');
    lbUrl = `https://127.0.0.1:${port}`;
  }, 240_000);

  afterAll(async () => {
    if (existsSync(path.join(dir, 'state.json'))) await runLauncher(['stop', `--cluster-dir=${dir}`]);
    rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('serves TLS 1.2+ only, on the LB and on every instance, with the cluster CA', async () => {
    expect(readFileSync(admin, 'utf8')).toContain(`server: ${lbUrl}`);
    for (const p of [port, port + 1, port + 2]) {
      expect((await raw(`https://127.0.0.1:${p}/readyz`)).status).toBe(200);
      const tls11 = execFileSync('bash', ['-c', `echo | timeout 10 openssl s_client -tls1_1 -connect 127.0.0.1:${p} 2>&1 || true`]).toString();
      expect(tls11).toMatch(/alert|no protocols available|wrong version/i);
    }
  });

  it('kubectl auth whoami and can-i --list as the admin (system:masters client certificate)', () => {
    const who = JSON.parse(ok(k('auth', 'whoami', '-o', 'json'))) as { status: { userInfo: { username: string; groups: string[] } } };
    expect(who.status.userInfo.username).toBe('kubernetes-admin');
    expect(who.status.userInfo.groups).toEqual(expect.arrayContaining(['system:masters', 'system:authenticated']));
    expect(ok(k('auth', 'can-i', '--list'))).toMatch(/\*\.\*\s+\[\]\s+\[\]\s+\[\*\]/);
  });

  it('a namespace-scoped user may do exactly what its Role grants; anything else is 403 with kube\'s message', async () => {
    ok(k('create', 'namespace', 'team'));
    ok(k('create', 'role', 'pod-reader', '-n', 'team', '--verb=get,list,watch', '--resource=pods'));
    ok(k('create', 'rolebinding', 'jane-reads', '-n', 'team', '--role=pod-reader', '--user=jane'));
    const jane = userKubeconfig('jane', 'jane', ['dev']).file;
    await eventually(() => kubectl(jane, ['get', 'pods', '-n', 'team']).code === 0, { what: 'jane may list pods in team' });
    const denied = kubectl(jane, ['get', 'pods', '-n', 'default']);
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toContain('pods is forbidden: User "jane" cannot list resource "pods" in API group "" in the namespace "default"');
    const create = kubectl(jane, ['create', 'configmap', 'x', '-n', 'team']);
    expect(create.stderr).toContain('configmaps is forbidden: User "jane" cannot create resource "configmaps" in API group "" in the namespace "team"');
    expect(kubectl(jane, ['auth', 'can-i', 'list', 'pods', '-n', 'team']).stdout.trim()).toBe('yes');
    expect(kubectl(jane, ['auth', 'can-i', 'delete', 'pods', '-n', 'team']).stdout.trim()).toBe('no');
    const whoami = JSON.parse(ok(kubectl(jane, ['auth', 'whoami', '-o', 'json']))) as { status: { userInfo: { username: string; groups: string[] } } };
    expect(whoami.status.userInfo).toMatchObject({ username: 'jane', groups: ['dev', 'system:authenticated'] });
  });

  it('impersonation: the admin acts --as jane; jane may not impersonate', () => {
    const asJaneOk = k('get', 'pods', '-n', 'team', '--as', 'jane');
    expect(asJaneOk.code).toBe(0);
    expect(asJaneOk.stderr).toContain('No resources found in team namespace.');
    const asJane = k('get', 'secrets', '-n', 'team', '--as', 'jane');
    expect(asJane.stderr).toContain('secrets is forbidden: User "jane" cannot list resource "secrets" in API group "" in the namespace "team"');
    const whoami = JSON.parse(ok(k('auth', 'whoami', '--as', 'bob', '--as-group', 'g1', '-o', 'json'))) as { status: { userInfo: { username: string; groups: string[] } } };
    expect(whoami.status.userInfo).toMatchObject({ username: 'bob', groups: ['g1', 'system:authenticated'] });
    const jane = path.join(dir, 'jane.kubeconfig');
    const up = kubectl(jane, ['get', 'pods', '-n', 'team', '--as', 'kubernetes-admin']);
    expect(up.stderr).toContain('users "kubernetes-admin" is forbidden: User "jane" cannot impersonate resource "users" in API group "" at the cluster scope');
  });

  it('kubectl create token: the token authenticates as the service account, RBAC applies to it', async () => {
    ok(k('create', 'serviceaccount', 'bot', '-n', 'team'));
    ok(k('create', 'rolebinding', 'bot-reads', '-n', 'team', '--role=pod-reader', '--serviceaccount=team:bot'));
    const token = ok(k('create', 'token', 'bot', '-n', 'team')).trim();
    const asBot = (...args: string[]) => kubectl('/dev/null', ['--server', lbUrl, '--certificate-authority', pki().caCert, '--token', token, ...args]);
    const who = JSON.parse(ok(asBot('auth', 'whoami', '-o', 'json'))) as { status: { userInfo: { username: string; groups: string[] } } };
    expect(who.status.userInfo.username).toBe('system:serviceaccount:team:bot');
    expect(who.status.userInfo.groups).toEqual(expect.arrayContaining(['system:serviceaccounts', 'system:serviceaccounts:team', 'system:authenticated']));
    await eventually(() => asBot('get', 'pods', '-n', 'team').code === 0, { what: 'the bot may list pods' });
    expect(asBot('get', 'pods', '-n', 'default').stderr).toContain('User "system:serviceaccount:team:bot" cannot list resource "pods"');
    ok(k('delete', 'serviceaccount', 'bot', '-n', 'team'));
    await eventually(async () => (await raw(`${lbUrl}/api/v1/namespaces/team/pods`, { authorization: `Bearer ${token}` })).status === 401,
      { what: 'the deleted service account\'s token refused' });
  });

  it('a CSR is approved and signed; the issued certificate works as a client certificate', () => {
    const keys = forge.pki.rsa.generateKeyPair({ bits: 2048 });
    const csr = forge.pki.createCertificationRequest();
    csr.publicKey = keys.publicKey;
    csr.setSubject([{ name: 'commonName', value: 'carol' }, { name: 'organizationName', value: 'ops' }]);
    csr.sign(keys.privateKey, forge.md.sha256.create());
    const request = Buffer.from(forge.pki.certificationRequestToPem(csr)).toString('base64');
    ok(kubectl(admin, ['create', '-f', '-'], JSON.stringify({
      apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'carol' },
      spec: { request, signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], expirationSeconds: 3600 },
    })));
    expect(ok(k('certificate', 'approve', 'carol'))).toContain('approved');
    let certPem = '';
    return eventually(() => {
      const got = JSON.parse(ok(k('get', 'csr', 'carol', '-o', 'json'))) as { status: { certificate?: string } };
      certPem = got.status.certificate ? Buffer.from(got.status.certificate, 'base64').toString() : '';
      return certPem !== '';
    }, { what: 'carol\'s certificate issued' }).then(() => {
      const file = path.join(dir, 'carol.kubeconfig');
      writeFileSync(file, clientKubeconfig(lbUrl, readFileSync(pki().caCert, 'utf8'), { certPem, keyPem: forge.pki.privateKeyToPem(keys.privateKey) }, 'carol'));
      const who = JSON.parse(ok(kubectl(file, ['auth', 'whoami', '-o', 'json']))) as { status: { userInfo: { username: string; groups: string[] } } };
      expect(who.status.userInfo).toMatchObject({ username: 'carol', groups: ['ops', 'system:authenticated'] });
    });
  });

  it('expired, foreign-CA and revoked certificates, bad tokens and forged X-Remote-User are 401', async () => {
    const unauthorized = /Unauthorized|must be logged in/;
    const expired = userKubeconfig('expired', 'old', [], undefined, { notBefore: new Date(Date.now() - 48 * 3600e3), notAfter: new Date(Date.now() - 24 * 3600e3) });
    expect(kubectl(expired.file, ['get', 'pods']).stderr).toMatch(unauthorized);
    const foreign = userKubeconfig('foreign', 'kubernetes-admin', ['system:masters'], newCA('someone-else'));
    expect(kubectl(foreign.file, ['get', 'pods']).stderr).toMatch(unauthorized);
    const soon = userKubeconfig('revoked', 'mallory', ['system:masters']);
    expect(kubectl(soon.file, ['get', 'ns']).code).toBe(0);
    revoke(pki(), soon.certPem);
    // The LB reloads the CRL when it changes; each kubectl run is a new connection.
    await eventually(() => unauthorized.test(kubectl(soon.file, ['get', 'ns']).stderr), { what: 'the revoked certificate refused' });
    expect((await raw(`${lbUrl}/api/v1/pods`, { authorization: 'Bearer not-a-token' })).status).toBe(401);
    // Forged identity headers: the LB strips them; an instance ignores them without the proxy's proof.
    for (const url of [lbUrl, `https://127.0.0.1:${port + 1}`]) {
      const forged = await raw(`${url}/api/v1/pods`, { 'x-remote-user': 'kubernetes-admin', 'x-remote-group': 'system:masters' });
      expect(forged.status).toBe(401);
      expect(JSON.parse(forged.body)).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
    }
    // The LB's own requests carry a MAC for one request: a copy replayed to the front-proxy listener, moved to another
    // path, or sent to the instance's client listener, is never believed.
    const frontProxy = `https://127.0.0.1:${port + 6}`;
    const signer = new ProxySigner(readFileSync(pki().frontProxyClientCert, 'utf8'), readFileSync(pki().frontProxyClientKey, 'utf8'));
    const session = signer.session(new X509Certificate(readFileSync(pki().servingCert)).publicKey);
    const captured: Record<string, string | string[] | number | undefined> = { 'x-remote-user': 'kubernetes-admin', 'x-remote-group': 'system:masters' };
    signer.sign(session, 'GET', '/api/v1/namespaces', captured);
    const asSent = captured as Record<string, string>;
    expect((await raw(`${frontProxy}/api/v1/namespaces`, asSent, frontProxyClient())).status).toBe(200);
    for (const [url, client] of [[`${frontProxy}/api/v1/namespaces`, frontProxyClient()], [`${frontProxy}/api/v1/secrets`, frontProxyClient()],
      [`https://127.0.0.1:${port + 1}/api/v1/namespaces`, undefined]] as const) {
      const replayed = await raw(url, asSent, client);
      expect(replayed.status, url).toBe(401);
    }
    // A client certificate from another CA is refused by the front-proxy listener's TLS itself.
    const stranger = issue(newCA('stranger'), { commonName: 'front-proxy-client', usage: 'client' });
    await expect(raw(`${frontProxy}/readyz`, {}, { cert: stranger.certPem, key: stranger.keyPem })).rejects.toThrow();
    // A request without credentials may read health and version only.
    expect((await raw(`${lbUrl}/version`)).status).toBe(200);
    expect((await raw(`${lbUrl}/api`)).status).toBe(401);
  });

  it('a client certificate with a non-Latin-1 name is that user, byte for byte, and the LB stays up', () => {
    // openssl writes the name as a UTF8String, as Go's crypto/x509 does.
    const p = pki();
    const keyFile = path.join(dir, 'dmitry.key');
    const csrFile = path.join(dir, 'dmitry.csr');
    const certFile = path.join(dir, 'dmitry.crt');
    execFileSync('openssl', ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-utf8', '-subj', '/CN=Дмитрий/O=команда', '-keyout', keyFile, '-out', csrFile], { stdio: 'pipe' });
    execFileSync('openssl', ['x509', '-req', '-in', csrFile, '-CA', p.caCert, '-CAkey', p.caKey, '-CAcreateserial', '-days', '1', '-out', certFile], { stdio: 'pipe' });
    const file = path.join(dir, 'dmitry.kubeconfig');
    writeFileSync(file, clientKubeconfig(lbUrl, readFileSync(p.caCert, 'utf8'), { certPem: readFileSync(certFile, 'utf8'), keyPem: readFileSync(keyFile, 'utf8') }, 'dmitry'));
    for (let i = 0; i < 2; i++) {
      const denied = kubectl(file, ['get', 'pods']);
      expect(denied.stderr).toContain('pods is forbidden: User "Дмитрий" cannot list resource "pods" in API group "" in the namespace "default"');
    }
    const who = JSON.parse(ok(kubectl(file, ['auth', 'whoami', '-o', 'json']))) as { status: { userInfo: { username: string; groups: string[] } } };
    expect(who.status.userInfo).toMatchObject({ username: 'Дмитрий', groups: ['команда', 'system:authenticated'] });
    ok(k('get', 'ns', 'default'));
  });

  it('writes audit lines per request, with the Audit-Id each response carries', async () => {
    const res = await new Promise<{ id: string }>((resolve, reject) => {
      const { cert, key, ca } = readKubeconfig(admin);
      https.get(`${lbUrl}/api/v1/namespaces/team/configmaps`, { cert, key, ca }, (r) => {
        r.resume();
        r.on('end', () => resolve({ id: String(r.headers['audit-id']) }));
      }).on('error', reject);
    });
    expect(res.id).toMatch(/^[0-9a-f-]{36}$/);
    await eventually(() => [1, 2].some((i) => {
      const log = path.join(dir, 'logs', `audit-apiserver-${i}.log`);
      return existsSync(log) && readFileSync(log, 'utf8').split('\n').some((l) => l.includes(res.id) && l.includes('"stage":"ResponseComplete"') && l.includes('kubernetes-admin'));
    }), { what: 'the request\'s audit event' });
  });

  it('an informer and helm work unchanged over TLS with the admin kubeconfig', async () => {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(admin);
    const api = kc.makeApiClient(k8s.CoreV1Api);
    const informer = k8s.makeInformer(kc, '/api/v1/namespaces/team/configmaps', () => api.listNamespacedConfigMap({ namespace: 'team' }));
    const seen: string[] = [];
    informer.on('add', (cm: k8s.V1ConfigMap) => seen.push(cm.metadata!.name!));
    await informer.start();
    try {
      ok(k('create', 'configmap', 'informed', '-n', 'team'));
      await eventually(() => seen.includes('informed'), { what: 'the informer saw the ConfigMap' });
    } finally {
      await informer.stop();
    }
    const chart = path.join(dir, 'chart');
    execFileSync('mkdir', ['-p', path.join(chart, 'templates')]);
    writeFileSync(path.join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: tiny\nversion: 0.1.0\n');
    writeFileSync(path.join(chart, 'templates', 'cm.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-helm\ndata:\n  a: "1"\n');
    execFileSync(helmPath, ['install', 'tiny', chart, '-n', 'team', '--wait', '--timeout', '60s'], { env: { ...process.env, KUBECONFIG: admin, HELM_CACHE_HOME: path.join(dir, 'helm-cache'), HELM_CONFIG_HOME: path.join(dir, 'helm-config'), HELM_DATA_HOME: path.join(dir, 'helm-data') } });
    expect(ok(k('get', 'configmap', 'from-helm', '-n', 'team', '-o', 'jsonpath={.data.a}'))).toBe('1');
  });
});
