// CertificateSigningRequests in the generic store (in-memory storage): validation, the requester's
// identity, the /status and /approval rules, the admission plugins against the real authorizer chain,
// the signer rules and the certificates the signer issues.
import { spawnSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import forge from 'node-forge';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AdmissionChain } from '../../server/admission/chain.js';
import { ApiError } from '../../server/api/errors.js';
import type { KubeObject } from '../../server/api/object.js';
import type { UserInfo } from '../../server/authentication/user.js';
import type { Authorizer } from '../../server/authorization/authorizer.js';
import { buildAuthorizer } from '../../server/authorization/index.js';
import { authorizedForSigner, CertificateApproval, CertificateSigning, CertificateSubjectRestriction } from '../../server/certificates/admission.js';
import { parseRequest } from '../../server/certificates/request.js';
import { signRequest, type SigningCA } from '../../server/certificates/sign.js';
import { pastDeadline } from '../../server/certificates/cleaner.js';
import { CertificateSigner, decide, signerRules, signingDurationSeconds } from '../../server/certificates/signer.js';
import { validateSignerName } from '../../server/certificates/validation.js';
import { loadConfig } from '../../server/config.js';
import { TypeRegistry } from '../../server/registry/registry.js';
import { GenericStore, type WriteOptions } from '../../server/registry/store.js';
import type { ResourceType, StrategyServices } from '../../server/registry/types.js';
import { registerBuiltins } from '../../server/resources/index.js';
import type { SecurityDeps } from '../../server/security.js';
import { MemoryStorage } from '../../server/storage/memory/memory.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const services: StrategyServices = {
  allocateClusterIP: async () => '10.0.0.10', releaseClusterIP: async () => undefined,
  allocateNodePort: async () => 30000, releaseNodePort: async () => undefined,
};
const admin: UserInfo = { name: 'admin', uid: 'admin-uid', groups: ['system:masters', 'system:authenticated'] };
const alice: UserInfo = { name: 'alice', uid: 'alice-uid', groups: ['dev', 'system:authenticated'], extra: { scopes: ['a', 'b'] } };
const write = (user?: UserInfo): WriteOptions => ({ dryRun: false, fieldValidation: 'Strict', warnings: [], user });

let ca: SigningCA;
let caPem: string;
beforeAll(() => {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + 30 * 24 * 3600_000);
  cert.setSubject([{ name: 'commonName', value: 'unit-ca' }]);
  cert.setIssuer([{ name: 'commonName', value: 'unit-ca' }]);
  cert.setExtensions([{ name: 'basicConstraints', cA: true }, { name: 'subjectKeyIdentifier' }]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  ca = { cert, key: createPrivateKey(forge.pki.privateKeyToPem(keys.privateKey)) };
  caPem = forge.pki.certificateToPem(cert);
});

/** A request for CN/O with optional SANs, base64 as spec.request carries it. */
function request(cn: string, orgs: string[] = [], altNames: { type: number; value?: string; ip?: string }[] = []): string {
  const keys = forge.pki.rsa.generateKeyPair(1024);
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = keys.publicKey;
  csr.setSubject([{ name: 'commonName', value: cn }, ...orgs.map((value) => ({ name: 'organizationName', value }))]);
  if (altNames.length) csr.setAttributes([{ name: 'extensionRequest', extensions: [{ name: 'subjectAltName', altNames }] }]);
  csr.sign(keys.privateKey, forge.md.sha256.create());
  return Buffer.from(forge.pki.certificationRequestToPem(csr)).toString('base64');
}

/** A request with the subject attributes as given (node-forge writes each value with its valueTagClass as it is). */
function requestWithSubject(attrs: { name: string; value: string; valueTagClass?: number }[]): string {
  const keys = forge.pki.rsa.generateKeyPair(1024);
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = keys.publicKey;
  csr.setSubject(attrs as forge.pki.CertificateField[]);
  csr.sign(keys.privateKey, forge.md.sha256.create());
  return Buffer.from(forge.pki.certificationRequestToPem(csr)).toString('base64');
}

const csrObject = (name: string, spec: Record<string, unknown>, status?: Record<string, unknown>): KubeObject => ({
  apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name },
  spec: { signerName: 'example.com/signer', usages: ['client auth'], ...spec }, ...(status ? { status } : {}),
});

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}
const causes = (e: ApiError) => (e.details?.causes ?? []).map((c) => `${c.field}: ${c.message}`);

let storage: MemoryStorage;
let store: GenericStore;
let csrs: ResourceType;
/** The chain kube-apiserver builds for --authorization-mode=RBAC, its index never started (no rules): only system:masters is allowed. */
const authorizer: Authorizer = (() => {
  const types = new TypeRegistry();
  registerBuiltins(types);
  const deps = { store: new GenericStore(new MemoryStorage(), types, services, new AdmissionChain([])), types } as unknown as SecurityDeps;
  return buildAuthorizer(loadConfig(['--etcd-servers=http://127.0.0.1:1', '--authorization-mode=RBAC'], {}), deps).authorizer;
})();

beforeEach(() => {
  storage = new MemoryStorage();
  const types = new TypeRegistry();
  registerBuiltins(types);
  store = new GenericStore(storage, types, services, new AdmissionChain([
    new CertificateApproval(authorizer), new CertificateSigning(authorizer), new CertificateSubjectRestriction(),
  ]));
  csrs = types.lookup('certificates.k8s.io', 'v1', 'certificatesigningrequests')!;
});

describe('validation', () => {
  it('refuses what kube-apiserver refuses on create, with its messages', async () => {
    const e = await refusal(store.create(csrs, '', csrObject('bad', {
      request: Buffer.from('hello\n').toString('base64'), signerName: 'foo', usages: ['client auth', 'bogus', 'client auth'], expirationSeconds: 100,
    }), write(admin)));
    expect(e.code).toBe(422);
    expect(causes(e)).toEqual([
      'spec.request: Invalid value: "aGVsbG8K": PEM block type must be CERTIFICATE REQUEST',
      expect.stringMatching(/^spec.usages\[1\]: Unsupported value: "bogus": supported values: "any", "cert sign", .*"server auth", "signing", "timestamping"$/),
      'spec.usages[2]: Duplicate value: "client auth"',
      'spec.signerName: Invalid value: "foo": must be a fully qualified domain and path of the form \'example.com/signer-name\'',
      'spec.expirationSeconds: Invalid value: 100: may not specify a duration less than 600 seconds (10 minutes)',
    ]);
    const legacy = await refusal(store.create(csrs, '', csrObject('legacy', { request: request('x'), signerName: 'kubernetes.io/legacy-unknown', usages: [] }), write(admin)));
    expect(causes(legacy)).toEqual([
      'spec.usages: Required value',
      'spec.signerName: Invalid value: "kubernetes.io/legacy-unknown": the legacy signerName is not allowed via this API version',
    ]);
  });

  it('refuses a request whose signature does not match its key', async () => {
    const good = Buffer.from(request('x'), 'base64').toString();
    const other = Buffer.from(request('y'), 'base64').toString();
    // x's request info and key with y's signature
    const a = forge.pki.certificationRequestFromPem(good);
    const b = forge.pki.certificationRequestFromPem(other);
    (a as any).signature = (b as any).signature;
    const tampered = Buffer.from(forge.pki.certificationRequestToPem(a)).toString('base64');
    const e = await refusal(store.create(csrs, '', csrObject('tampered', { request: tampered }), write(admin)));
    expect(causes(e)).toEqual([`spec.request: Invalid value: "${tampered}": crypto/rsa: verification error`]);
  });

  it('checks signer names as kube does', () => {
    const msgs = (n: string) => validateSignerName('spec.signerName', n).map((e) => e.detailMessage());
    expect(msgs('example.com/a.b')).toEqual([]);
    expect(msgs('')).toEqual(['Required value']);
    expect(msgs('example/x')).toEqual(['Invalid value: "example": should be a domain with at least two segments separated by dots']);
    expect(msgs('Example.com/x')[0]).toMatch(/^Invalid value: "Example.com": validating label "Example": a lowercase RFC 1123 label/);
    expect(msgs('a/b/c')).toEqual(["Invalid value: \"a/b/c\": must be a fully qualified domain and path of the form 'example.com/signer-name'"]);
  });
});

describe('the registry', () => {
  it('fills in the requester from the request, whatever the body says, and starts with an empty status', async () => {
    const created = await store.create(csrs, '', csrObject('mine', {
      request: request('alice'), username: 'root', uid: 'x', groups: ['system:masters'], extra: { a: ['b'] },
    }, { certificate: Buffer.from(caPem).toString('base64'), conditions: [{ type: 'Approved', status: 'True' }] }), write(alice));
    expect(created.spec).toMatchObject({ username: 'alice', uid: 'alice-uid', groups: ['dev', 'system:authenticated'], extra: { scopes: ['a', 'b'] } });
    expect(created.status).toEqual({});
  });

  it('keeps spec and status on a main-resource update; /status may set the certificate once but not approve', async () => {
    const created = await store.create(csrs, '', csrObject('c', { request: request('c') }), write(admin));
    const pem = Buffer.from(caPem).toString('base64');
    const viaMain = await store.update(csrs, '', 'c', { ...created, metadata: { ...created.metadata, labels: { a: 'b' } }, spec: { ...(created.spec as object), usages: ['server auth'] }, status: { certificate: pem } }, write(admin));
    expect((viaMain.spec as any).usages).toEqual(['client auth']);
    expect(viaMain.status).toEqual({});
    expect(viaMain.metadata.labels).toEqual({ a: 'b' });

    const approve = await refusal(store.update(csrs, '', 'c', { ...viaMain, status: { conditions: [{ type: 'Approved', status: 'True' }] } }, write(admin), 'status'));
    expect(causes(approve)).toEqual(['status.conditions: Forbidden: updates may not add a condition of type "Approved"']);
    // every error at once, as kube's status strategy reports them
    const both = await refusal(store.update(csrs, '', 'c', { ...viaMain, status: { conditions: [{ type: 'Approved', status: 'True' }, { type: 'Denied', status: 'True' }] } }, write(admin), 'status'));
    expect(causes(both)).toEqual([
      'status.conditions: Invalid value: "Denied": Approved and Denied conditions are mutually exclusive',
      'status.conditions: Forbidden: updates may not add a condition of type "Approved"',
      'status.conditions: Forbidden: updates may not add a condition of type "Denied"',
    ]);
    const garbage = await refusal(store.update(csrs, '', 'c', { ...viaMain, status: { certificate: Buffer.from('x').toString('base64') } }, write(admin), 'status'));
    expect(causes(garbage)).toEqual(['status.certificate: Invalid value: "<certificate data>": must contain at least one CERTIFICATE PEM block']);

    const signed = await store.update(csrs, '', 'c', { ...viaMain, status: { certificate: pem, conditions: [{ type: 'Progressing', status: 'True' }] } }, write(admin), 'status');
    expect((signed.status as any).certificate).toBe(pem);
    expect((signed.status as any).conditions[0]).toMatchObject({ type: 'Progressing', lastUpdateTime: expect.any(String), lastTransitionTime: expect.any(String) });
    const again = await refusal(store.update(csrs, '', 'c', { ...signed, status: { ...(signed.status as object), certificate: Buffer.from(caPem + caPem).toString('base64') } }, write(admin), 'status'));
    expect(causes(again)).toEqual(['status.certificate: Forbidden: updates may not modify existing certificate content']);
  });

  it('/approval sets Approved or Denied only, never both, never removed, never the certificate', async () => {
    const created = await store.create(csrs, '', csrObject('a', { request: request('a') }), write(admin));
    const both = await refusal(store.update(csrs, '', 'a', { ...created, status: { conditions: [{ type: 'Approved', status: 'True' }, { type: 'Denied', status: 'True' }] } }, write(admin), 'approval'));
    expect(causes(both)).toEqual(['status.conditions: Invalid value: "Denied": Approved and Denied conditions are mutually exclusive']);
    const falseApproved = await refusal(store.update(csrs, '', 'a', { ...created, status: { conditions: [{ type: 'Approved', status: 'False' }] } }, write(admin), 'approval'));
    expect(causes(falseApproved)).toEqual(['status.conditions[0].status: Unsupported value: "False": supported values: "True"']);

    const approved = await store.update(csrs, '', 'a', { ...created, status: { certificate: Buffer.from(caPem).toString('base64'), conditions: [{ type: 'Approved', status: 'True', reason: 'R' }] } }, write(admin), 'approval');
    expect((approved.status as any).certificate).toBeUndefined();
    expect((approved.status as any).conditions).toEqual([{ type: 'Approved', status: 'True', reason: 'R', lastUpdateTime: expect.any(String), lastTransitionTime: expect.any(String) }]);
    const removed = await refusal(store.update(csrs, '', 'a', { ...approved, status: { conditions: [] } }, write(admin), 'approval'));
    expect(causes(removed)).toEqual(['status.conditions: Forbidden: updates may not remove a condition of type "Approved"']);
  });
});

describe('admission', () => {
  it('lets only users with approve on the signer approve, and sign on it set the certificate', async () => {
    const created = await store.create(csrs, '', csrObject('x', { request: request('x') }), write(alice));
    const approve = { ...created, metadata: { name: 'x' }, status: { conditions: [{ type: 'Approved', status: 'True' }] } };
    const refused = await refusal(store.update(csrs, '', 'x', approve, write(alice), 'approval'));
    expect(refused.code).toBe(403);
    expect(refused.message).toBe('certificatesigningrequests.certificates.k8s.io "x" is forbidden: user not permitted to approve requests with signerName "example.com/signer"');
    const sign = { ...created, metadata: { name: 'x' }, status: { certificate: Buffer.from(caPem).toString('base64') } };
    const unsigned = await refusal(store.update(csrs, '', 'x', sign, write(alice), 'status'));
    expect(unsigned.message).toBe('certificatesigningrequests.certificates.k8s.io "x" is forbidden: user not permitted to sign requests with signerName "example.com/signer"');
    // system:masters, and the server's own writes (no user), pass
    const approved = await store.update(csrs, '', 'x', approve, write(admin), 'approval');
    const issued = await store.update(csrs, '', 'x', { ...sign, status: { ...(approved.status as object), ...sign.status } }, write(), 'status');
    expect((issued.status as any).certificate).toBe(sign.status.certificate);
  });

  it('asks for the signer by name, then for "<domain>/*"', () => {
    const asked: string[] = [];
    const only = (allowed: string): Authorizer => ({ authorize: (a) => {
      asked.push(`${a.verb} ${a.apiGroup}/${a.resource} ${a.name}`);
      return { decision: a.name === allowed ? 'allow' : 'no-opinion', reason: '' };
    } });
    expect(authorizedForSigner(only('example.com/*'), alice, 'approve', 'example.com/signer')).toBe(true);
    expect(asked).toEqual(['approve certificates.k8s.io/signers example.com/signer', 'approve certificates.k8s.io/signers example.com/*']);
    expect(authorizedForSigner(only('other.com/*'), alice, 'sign', 'example.com/signer')).toBe(false);
  });

  it('never lets the kube-apiserver-client signer be asked for system:masters', async () => {
    const e = await refusal(store.create(csrs, '', csrObject('m', { request: request('root', ['system:masters']), signerName: 'kubernetes.io/kube-apiserver-client' }), write(admin)));
    expect(e.code).toBe(403);
    expect(e.message).toBe('certificatesigningrequests.certificates.k8s.io "m" is forbidden: use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed');
    // other signers may
    await store.create(csrs, '', csrObject('m2', { request: request('root', ['system:masters']) }), write(admin));
  });
});

describe('the signer', () => {
  const parsed = (cn: string, orgs: string[] = [], alt: { type: number; value?: string; ip?: string }[] = []) => parseRequest(Buffer.from(request(cn, orgs, alt), 'base64'));

  it('checks each built-in signer\'s rules with kube\'s messages', () => {
    const client = signerRules['kubernetes.io/kube-apiserver-client'];
    expect(client(parsed('a'), ['client auth', 'digital signature', 'key encipherment'])).toBeUndefined();
    expect(client(parsed('a'), ['client auth', 'server auth'])).toBe('invalid usage for client certificate: server auth');
    expect(client(parsed('a'), ['digital signature'])).toBe('missing required usage for client certificate: client auth');

    const kubelet = signerRules['kubernetes.io/kube-apiserver-client-kubelet'];
    expect(kubelet(parsed('system:node:n1', ['system:nodes']), ['digital signature', 'client auth'])).toBeUndefined();
    expect(kubelet(parsed('system:node:n1', ['dev']), ['digital signature', 'client auth'])).toBe('subject organization is not system:nodes');
    expect(kubelet(parsed('n1', ['system:nodes']), ['digital signature', 'client auth'])).toBe('subject common name does not begin with system:node:');
    expect(kubelet(parsed('system:node:n1', ['system:nodes'], [{ type: 2, value: 'n1' }]), ['digital signature', 'client auth'])).toBe('DNS subjectAltNames are not allowed');
    expect(kubelet(parsed('system:node:n1', ['system:nodes']), ['client auth'])).toBe('usages did not match [client auth digital signature key encipherment]');

    const serving = signerRules['kubernetes.io/kubelet-serving'];
    const sans = [{ type: 2, value: 'n1.example.com' }, { type: 7, ip: '10.0.0.1' }];
    expect(serving(parsed('system:node:n1', ['system:nodes'], sans), ['digital signature', 'key encipherment', 'server auth'])).toBeUndefined();
    expect(serving(parsed('system:node:n1', ['system:nodes']), ['digital signature', 'server auth'])).toBe('DNS or IP subjectAltName is required');
    expect(serving(parsed('system:node:n1', ['system:nodes'], [...sans, { type: 1, value: 'a@b.c' }]), ['digital signature', 'server auth'])).toBe('Email subjectAltNames are not allowed');
    expect(serving(parsed('system:node:n1', ['system:nodes'], sans), ['server auth'])).toBe('usages did not match [digital signature key encipherment server auth]');
    expect(signerRules['kubernetes.io/legacy-unknown'](parsed('anything'), ['any'])).toBeUndefined();
  });

  it('acts only on approved, unfailed, unissued requests of the built-in signers', () => {
    const base = (signerName: string, status: Record<string, unknown>) => csrObject('d', { request: request('a'), signerName }, status);
    const approved = { conditions: [{ type: 'Approved', status: 'True' }] };
    expect(decide(base('kubernetes.io/kube-apiserver-client', approved)).action).toBe('sign');
    expect(decide(base('kubernetes.io/kube-apiserver-client-kubelet', approved))).toEqual({ action: 'fail', message: 'subject organization is not system:nodes' });
    expect(decide(base('kubernetes.io/kube-apiserver-client', {})).action).toBe('skip');
    expect(decide(base('example.com/x', approved)).action).toBe('skip');
    expect(decide(base('kubernetes.io/kube-apiserver-client', { conditions: [{ type: 'Approved', status: 'True' }, { type: 'Failed', status: 'True' }] })).action).toBe('skip');
    expect(decide(base('kubernetes.io/kube-apiserver-client', { ...approved, certificate: 'eA==' })).action).toBe('skip');
  });

  it('signs for min(expirationSeconds, --cluster-signing-duration), at least 10 minutes', () => {
    expect(signingDurationSeconds(undefined, 7200)).toBe(7200);
    expect(signingDurationSeconds(3600, 7200)).toBe(3600);
    expect(signingDurationSeconds(99999, 7200)).toBe(7200);
    expect(signingDurationSeconds(60, 7200)).toBe(600);
  });

  it('issues certificates that chain to the CA with the subject, SANs, usages and lifetime asked', () => {
    const now = Date.UTC(2026, 10, 25, 6, 0, 0);
    const req = parsed('system:node:n1', ['system:nodes'], [{ type: 2, value: 'n1.example.com' }, { type: 7, ip: '10.0.0.1' }]);
    const cert = forge.pki.certificateFromPem(signRequest(ca, req, ['digital signature', 'key encipherment', 'server auth'], 3600_000, now));
    expect(ca.cert.verify(cert)).toBe(true);
    expect(cert.subject.getField('CN').value).toBe('system:node:n1');
    expect(cert.subject.getField('O').value).toBe('system:nodes');
    expect(cert.issuer.getField('CN').value).toBe('unit-ca');
    expect((cert.getExtension('subjectAltName') as any).altNames.map((n: any) => n.ip ?? n.value)).toEqual(['n1.example.com', '10.0.0.1']);
    expect(cert.getExtension('keyUsage')).toMatchObject({ critical: true, digitalSignature: true, keyEncipherment: true, keyCertSign: false });
    expect(cert.getExtension('extKeyUsage')).toMatchObject({ serverAuth: true });
    expect((cert.getExtension('extKeyUsage') as any).clientAuth).toBeUndefined();
    expect(cert.getExtension('basicConstraints')).toMatchObject({ cA: false, critical: true });
    // short lifetimes end at now + ttl; from 8 h on the 5-minute backdate comes off the end
    expect(cert.validity.notBefore.getTime()).toBe(now - 300_000);
    expect(cert.validity.notAfter.getTime()).toBe(now + 3600_000);
    const long = forge.pki.certificateFromPem(signRequest(ca, req, ['client auth'], 10 * 3600_000, now));
    expect(long.validity.notAfter.getTime()).toBe(now + 10 * 3600_000 - 300_000);
    // never past the CA's own expiry
    const capped = forge.pki.certificateFromPem(signRequest(ca, req, ['client auth'], 365 * 24 * 3600_000));
    expect(capped.validity.notAfter.getTime()).toBe(Math.floor(ca.cert.validity.notAfter.getTime() / 1000) * 1000);
    expect(cert.serialNumber).not.toBe(long.serialNumber);
  });

  it('reads the subject as Go does: a UniversalString O=system:masters is no organization, admitted and never signed', async () => {
    // UCS-4, which node-forge keeps as raw bytes and OpenSSL reads back as "system:masters"
    const ucs4 = (t: string) => [...t].map((c) => `\0\0\0${c}`).join('');
    const csr = requestWithSubject([{ name: 'commonName', value: 'mallory' }, { name: 'organizationName', value: ucs4('system:masters'), valueTagClass: 28 }]);
    const req = parseRequest(Buffer.from(csr, 'base64'));
    expect([req.commonName, req.organizations]).toEqual(['mallory', []]);
    // kube admits it (Go sees no O) and its signer writes the subject it parsed: CN only
    await store.create(csrs, '', csrObject('mallory', { request: csr, signerName: 'kubernetes.io/kube-apiserver-client' }), write(alice));
    const issued = new X509Certificate(signRequest(ca, req, ['client auth'], 3600_000));
    expect(issued.subject).toBe('CN=mallory');
    // a string Go refuses fails the request's parse: a validation error on spec.request
    const bad = requestWithSubject([{ name: 'commonName', value: 'a_b', valueTagClass: 19 }]);
    const e = await refusal(store.create(csrs, '', csrObject('bad-printable', { request: bad }), write(alice)));
    expect(e.code).toBe(422);
    expect(e.message).toContain(`spec.request: Invalid value: "${bad}": asn1: syntax error: PrintableString contains invalid character`);
  });

  it('reads and signs ECDSA and Ed25519 requests too (made with openssl)', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'csr-unit-'));
    try {
      for (const keyArgs of [['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'], ['-newkey', 'ed25519']]) {
        const out = path.join(dir, 'req.pem');
        const r = spawnSync('openssl', ['req', '-new', ...keyArgs, '-nodes', '-keyout', path.join(dir, 'key.pem'), '-subj', '/CN=system:node:n2/O=system:nodes',
          '-addext', 'subjectAltName=DNS:n2.example.com,IP:10.0.0.2', '-out', out], { encoding: 'utf8' });
        expect(r.status, r.stderr).toBe(0);
        const req = parseRequest(readFileSync(out));
        expect([req.commonName, req.organizations, req.dnsNames, req.ipAddresses]).toEqual(['system:node:n2', ['system:nodes'], ['n2.example.com'], ['10.0.0.2']]);
        const issued = new X509Certificate(signRequest(ca, req, ['digital signature', 'server auth'], 3600_000));
        expect(issued.verify(new X509Certificate(caPem).publicKey)).toBe(true);
        expect(issued.publicKey.asymmetricKeyType).toBe(req.publicKey.asymmetricKeyType);
        // Go's order (pkix.Name.ToRDNSequence: O before CN), as kube's signer writes it
        expect(issued.subject).toBe('O=system:nodes\nCN=system:node:n2');
        expect(issued.subjectAltName).toBe('DNS:n2.example.com, IP Address:10.0.0.2');
        // a request whose signature is not its key's
        const pemText = readFileSync(out, 'latin1');
        const body = Buffer.from(pemText.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
        body[body.length - 2] ^= 0x01;
        const tampered = `-----BEGIN CERTIFICATE REQUEST-----\n${body.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
        expect(() => parseRequest(Buffer.from(tampered))).toThrow(/^x509: (ECDSA|Ed25519) verification failure$/);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes the certificate or the Failed condition through /status, and leaves a conflict to whoever won', async () => {
    const signer = new CertificateSigner(store, csrs, ca, 7200);
    const created = await store.create(csrs, '', csrObject('s', { request: request('bob', ['dev']), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'] }), write(alice));
    const approved = await store.update(csrs, '', 's', { ...created, status: { conditions: [{ type: 'Approved', status: 'True' }] } }, write(admin), 'approval');
    const stale = structuredClone(approved);
    await signer.handle(approved);
    const issued = await store.get(csrs, '', 's');
    const cert = forge.pki.certificateFromPem(Buffer.from((issued.status as any).certificate, 'base64').toString());
    expect(ca.cert.verify(cert)).toBe(true);
    // a second instance acting on the same read loses the race
    expect((await refusal(signer.handle(stale))).code).toBe(409);

    const node = await store.create(csrs, '', csrObject('n', { request: request('n1', ['system:nodes']), signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['client auth', 'digital signature'] }), write(alice));
    await signer.handle(await store.update(csrs, '', 'n', { ...node, status: { conditions: [{ type: 'Approved', status: 'True' }] } }, write(admin), 'approval'));
    const failed = await store.get(csrs, '', 'n');
    expect((failed.status as any).certificate).toBeUndefined();
    expect((failed.status as any).conditions[1]).toMatchObject({ type: 'Failed', status: 'True', reason: 'SignerValidationFailure', message: 'subject common name does not begin with system:node:' });
  });
});

describe('the cleaner', () => {
  it('deletes requests past kube\'s deadlines only', () => {
    const now = Date.UTC(2026, 10, 25, 12, 0, 0);
    const ago = (ms: number) => new Date(now - ms).toISOString().replace(/\.\d+Z$/, 'Z');
    const hour = 3600_000;
    const csr = (created: number, status: Record<string, unknown> = {}): KubeObject => ({ metadata: { name: 'c', creationTimestamp: ago(created) }, status });
    const cond = (type: string, updated: number) => ({ type, status: 'True', lastUpdateTime: ago(updated) });
    const pem = (notAfter: number) => {
      const keys = forge.pki.rsa.generateKeyPair(512);
      const c = forge.pki.createCertificate();
      c.publicKey = keys.publicKey;
      c.validity.notBefore = new Date(now - 48 * hour);
      c.validity.notAfter = new Date(notAfter);
      c.sign(keys.privateKey, forge.md.sha256.create());
      return Buffer.from(forge.pki.certificateToPem(c)).toString('base64');
    };
    expect(pastDeadline(csr(23 * hour), now)).toBe(false);
    expect(pastDeadline(csr(25 * hour), now)).toBe(true);
    expect(pastDeadline(csr(2 * hour, { conditions: [cond('Denied', 30 * 60_000)] }), now)).toBe(false);
    expect(pastDeadline(csr(2 * hour, { conditions: [cond('Denied', 2 * hour)] }), now)).toBe(true);
    expect(pastDeadline(csr(2 * hour, { conditions: [cond('Approved', 2 * hour), cond('Failed', 2 * hour)] }), now)).toBe(true);
    expect(pastDeadline(csr(2 * hour, { conditions: [cond('Approved', 2 * hour)] }), now)).toBe(false);
    expect(pastDeadline(csr(30 * hour, { conditions: [cond('Approved', 25 * hour)] }), now)).toBe(true);
    expect(pastDeadline(csr(2 * hour, { certificate: pem(now + hour), conditions: [cond('Approved', 2 * hour)] }), now)).toBe(true);
    expect(pastDeadline(csr(2 * hour, { certificate: pem(now + hour), conditions: [cond('Approved', 10 * 60_000)] }), now)).toBe(false);
    expect(pastDeadline(csr(2 * hour, { certificate: pem(now - 60_000), conditions: [cond('Approved', 10 * 60_000)] }), now)).toBe(true);
  });
});
