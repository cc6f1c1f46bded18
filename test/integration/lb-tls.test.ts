// The LB with TLS in front of a secured instance, set up as the launcher sets them up (its PKI, flags,
// RBAC): the instances' certificates are checked for the backend's own name whatever Host the client
// sent; client certificate subjects are read as kube's Go reads them (a UniversalString
// O=system:masters is nobody, whether signed through a CSR or directly by the CA); /lb/stats is for
// system:masters certificates only.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import forge from 'node-forge';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { LauncherOptions } from '../../compose/local/options.js';
import { apiserverSecurityFlags, lbSecurityFlags, prepareSecurity, type SecurityFiles } from '../../compose/local/security.js';
import { type Issued, issue, loadIssued } from '../../pki/pki.js';
import { type ApiServerProcess, type Etcd, startApiServer, startEtcd } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { type LbProcess, startLb } from '../support/lb.js';

let dir: string;
let files: SecurityFiles;
let etcd: Etcd | undefined;
let api: ApiServerProcess | undefined;
let lb: LbProcess | undefined;
let ca: Issued;
let admin: Issued;

interface Answer { status: number; body: string }
interface Client { cert: string; key: string }

/** One request to the LB, trusting the cluster CA; `host` is the Host header (the LB's own certificate is checked for localhost). */
function call(method: string, p: string, opts: { client?: Client; host?: string; body?: unknown } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = https.request(`${lb!.url}${p}`, {
      method, ca: readFileSync(files.pki.caCert), servername: 'localhost', agent: false, timeout: 15000, ...opts.client,
      headers: { ...(opts.host ? { host: opts.host } : {}), ...(payload ? { 'content-type': 'application/json' } : {}) },
    }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(payload);
  });
}

const asClient = (i: Issued): Client => ({ cert: i.certPem, key: i.keyPem });

/** Who the instance says the client is (SelfSubjectReview), through the LB. */
async function whoami(client: Client): Promise<{ username: string; groups: string[] }> {
  const r = await call('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { client, body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } });
  expect(r.status, r.body).toBe(201);
  return JSON.parse(r.body).status.userInfo;
}

/** UCS-4: node-forge writes it as it is; OpenSSL (so node) reads it back as the plain string. */
const ucs4 = (s: string) => [...s].map((c) => `\0\0\0${c}`).join('');
const universalMasters = [{ name: 'commonName', value: 'mallory' }, { name: 'organizationName', value: ucs4('system:masters'), valueTagClass: 28 }];

/** A client certificate signed directly by the cluster CA with the subject attributes as given. */
function clientCertificate(subject: object[]): Client {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '0a1b2c';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 3600_000);
  cert.setSubject(subject as forge.pki.CertificateField[]);
  cert.setIssuer(ca.cert.subject.attributes);
  cert.setExtensions([{ name: 'basicConstraints', cA: false }, { name: 'extKeyUsage', clientAuth: true }]);
  cert.sign(ca.key, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: forge.pki.privateKeyToPem(keys.privateKey) };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kats-lb-tls-'));
  // The launcher's own security setup: its serving certificate names 127.0.0.1, localhost and the in-cluster names, not control-plane.example.com.
  files = prepareSecurity({ clusterDir: dir, bindAddress: '127.0.0.1' } as LauncherOptions);
  ca = loadIssued(files.pki.caCert, files.pki.caKey);
  admin = issue(ca, { commonName: 'kubernetes-admin', organizations: ['system:masters'], usage: 'client' });
  etcd = await startEtcd(dir);
  api = await startApiServer(etcd.url, [...apiserverSecurityFlags(files), `--audit-log-path=${path.join(dir, 'audit.log')}`]);
  lb = await startLb([api.url], lbSecurityFlags(files));
}, 120_000);

afterAll(async () => {
  await lb?.stop();
  await api?.stop();
  await etcd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('checks the instance for its own name whatever Host the client sent: requests, watches and upgrades', async () => {
  const host = 'control-plane.example.com';
  const get = await call('GET', '/api/v1/namespaces/default', { client: asClient(admin), host });
  expect(get.status, get.body).toBe(200);
  expect(JSON.parse(get.body).metadata.name).toBe('default');

  // A watch: its first event arrives through the LB.
  const watched = await new Promise<string>((resolve, reject) => {
    const req = https.request(`${lb!.url}/api/v1/namespaces?watch=1&fieldSelector=metadata.name%3Ddefault`, {
      ca: readFileSync(files.pki.caCert), servername: 'localhost', agent: false, ...asClient(admin), headers: { host },
    }, (res) => {
      let text = '';
      res.on('data', (c) => {
        text += c;
        if (text.includes('\n')) {
          req.destroy();
          resolve(`${res.statusCode} ${text.split('\n')[0]}`);
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
  expect(watched).toMatch(/^200 \s*\{"type":"ADDED"/);

  // A WebSocket upgrade: the instance's 101 comes back.
  const head = await new Promise<string>((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port: lb!.port, ca: readFileSync(files.pki.caCert), servername: 'localhost', ...asClient(admin) }, () => {
      socket.write(`GET /api/v1/namespaces?watch=1 HTTP/1.1\r\nHost: ${host}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n`
        + 'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: v4.channel.k8s.io\r\n\r\n');
    });
    let got = '';
    socket.on('data', (c) => {
      got += c;
      if (got.includes('\r\n')) {
        socket.destroy();
        resolve(got.split('\r\n')[0]);
      }
    });
    socket.on('error', reject);
  });
  expect(head).toBe('HTTP/1.1 101 Switching Protocols');
}, 60_000);

it('checks the instance for --backend-tls-server-name when given (a DNS name its certificate carries, SNI included)', async () => {
  const named = await startLb([api!.url], [...lbSecurityFlags(files), '--backend-tls-server-name', 'kubernetes.default.svc']);
  try {
    const r = await new Promise<number>((resolve, reject) => {
      const req = https.get(`${named.url}/api/v1/namespaces/default`, { ca: readFileSync(files.pki.caCert), servername: 'localhost', agent: false, ...asClient(admin),
        headers: { host: 'control-plane.example.com' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
    });
    expect(r).toBe(200);
  } finally {
    await named.stop();
  }
}, 60_000);

it('reads client certificate subjects as kube does: ordinary ones work, a UniversalString system:masters is refused', async () => {
  expect(await whoami(asClient(admin))).toEqual({ username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] });
  // UTF8String CN, PrintableString O (node-forge's default), as any client tool makes them
  const ordinary = clientCertificate([{ name: 'commonName', value: 'alice', valueTagClass: forge.asn1.Type.UTF8 }, { name: 'organizationName', value: 'dev' }]);
  expect(await whoami(ordinary)).toEqual({ username: 'alice', groups: ['dev', 'system:authenticated'] });

  // Signed by the cluster CA, so OpenSSL verifies it and reads O=system:masters; Go cannot parse it, so kube's handshake fails: so does the LB's connection.
  const mallory = clientCertificate(universalMasters);
  expect(new X509Certificate(mallory.cert).subject).toContain('O=system:masters');
  await expect(call('GET', '/api/v1/secrets', { client: mallory })).rejects.toThrow(/socket hang up|ECONNRESET/);
  await eventually(() => lb!.logs().includes('its client certificate does not parse (x509: invalid RDNSequence: invalid attribute value: unsupported string type: 28)'), { what: 'the LB to say why' });
}, 60_000);

it('signs a CSR whose O=system:masters is a UniversalString without it, as kube does, so it never authenticates as system:masters', async () => {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = keys.publicKey;
  csr.setSubject(universalMasters as forge.pki.CertificateField[]);
  csr.sign(keys.privateKey, forge.md.sha256.create());
  const request = Buffer.from(forge.pki.certificationRequestToPem(csr)).toString('base64');
  const base = '/apis/certificates.k8s.io/v1/certificatesigningrequests';
  const created = await call('POST', base, { client: asClient(admin), body: {
    apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'mallory' },
    spec: { request, signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth', 'digital signature'] },
  } });
  // kube (Go) reads no organization from a UniversalString, so CertificateSubjectRestriction has nothing to refuse
  expect(created.status, created.body).toBe(201);
  const approval = JSON.parse(created.body);
  approval.status = { conditions: [{ type: 'Approved', status: 'True', reason: 'Test', message: 'approved in a test' }] };
  const approved = await call('PUT', `${base}/mallory/approval`, { client: asClient(admin), body: approval });
  expect(approved.status, approved.body).toBe(200);
  let pem = '';
  await eventually(async () => {
    const r = await call('GET', `${base}/mallory`, { client: asClient(admin) });
    pem = Buffer.from(JSON.parse(r.body).status?.certificate ?? '', 'base64').toString();
    return pem;
  }, { what: 'the certificate to be issued', timeoutMs: 30000 });
  const issued = new X509Certificate(pem);
  expect(issued.subject).toBe('CN=mallory');
  expect(await whoami({ cert: pem, key: forge.pki.privateKeyToPem(keys.privateKey) })).toEqual({ username: 'mallory', groups: ['system:authenticated'] });
}, 60_000);

it('serves /lb/stats to system:masters client certificates only', async () => {
  const anonymous = await call('GET', '/lb/stats');
  expect(anonymous.status).toBe(401);
  expect(JSON.parse(anonymous.body)).toMatchObject({ kind: 'Status', reason: 'Unauthorized', code: 401 });
  const alice = await call('GET', '/lb/stats', { client: asClient(issue(ca, { commonName: 'alice', organizations: ['dev'], usage: 'client' })) });
  expect(alice.status).toBe(403);
  expect(JSON.parse(alice.body).message).toBe('forbidden: User "alice" cannot get path "/lb/stats"');
  const stats = await call('GET', '/lb/stats', { client: asClient(admin) });
  expect(stats.status).toBe(200);
  expect(JSON.parse(stats.body)).toMatchObject({ backends: [{ state: 'healthy' }], connections: { max: 4096 } });
}, 60_000);
