// CertificateSigningRequests end to end on a real server over TLS with a token file and a CA made here:
// the requester's identity, kubectl certificate approve/deny, the built-in signer issuing a certificate
// that chains to the CA or failing a request its rules refuse, and kube's refusals. Authorization is
// AlwaysAllow: RBAC has no rules yet, so who may approve or sign is tested against the authorizer chain
// in test/unit/certificates-admission.test.ts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import forge from 'node-forge';
import { issue, newCA, writeIssued } from '../../pki/pki.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startOnFreePorts, startProcess, stopProcess, waitReady } from '../../compose/local/processes.js';
import { type Etcd, repoRoot, startEtcd } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { kubectl, ok } from '../support/kubectl.js';

const tokens = { admin: 'admin-token', alice: 'alice-token', approver: 'approver-token' };
let dir: string;
let etcd: Etcd | undefined;
let server: Awaited<ReturnType<typeof startSecuredServer>> | undefined;
/** A second instance on the same etcd: both run the signer. */
let second: Awaited<ReturnType<typeof startSecuredServer>> | undefined;
let ca: forge.pki.Certificate;
const kubeconfigs: Record<string, string> = {};

/** A PEM CERTIFICATE REQUEST for CN/O, base64 as spec.request carries it. */
function request(cn: string, orgs: string[] = []): string {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const csr = forge.pki.createCertificationRequest();
  csr.publicKey = keys.publicKey;
  csr.setSubject([{ name: 'commonName', value: cn }, ...orgs.map((value) => ({ name: 'organizationName', value }))]);
  csr.sign(keys.privateKey, forge.md.sha256.create());
  return Buffer.from(forge.pki.certificationRequestToPem(csr)).toString('base64');
}

function csrYaml(name: string, req: string, signerName: string, usages: string[], expirationSeconds?: number): string {
  return JSON.stringify({
    apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name },
    // username in the body is ignored: the server fills in who sends the create
    spec: { request: req, signerName, usages, username: 'someone-else', groups: ['system:masters'], ...(expirationSeconds ? { expirationSeconds } : {}) },
  });
}

const as = (user: keyof typeof tokens, args: string[], input?: string) => kubectl(kubeconfigs[user], args, input);
const getCSR = (name: string) => JSON.parse(ok(as('admin', ['get', 'csr', name, '-o', 'json']))) as {
  spec: Record<string, unknown>; status: { certificate?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
};

/** As startApiServer, but /readyz is asked with the admin's token: without anonymous access it answers 401 otherwise. */
async function startSecuredServer(etcdUrl: string, args: string[]): Promise<{ url: string; logs(): string; stop(): Promise<void> }> {
  return startOnFreePorts(1, async ([port]) => {
    const url = `https://127.0.0.1:${port}`;
    const r = startProcess({
      name: `apiserver on ${port}`, command: process.execPath,
      args: [path.join(repoRoot, 'dist/server/main.js'), `--etcd-servers=${etcdUrl}`, `--secure-port=${port}`, '--bind-address=127.0.0.1', ...args],
    });
    const ready = async () => r.output().includes(`serving on ${url} `)
      && await new Promise<boolean>((resolve) => {
        const req = https.get(`${url}/readyz`, { ca: forge.pki.certificateToPem(ca), headers: { authorization: `Bearer ${tokens.admin}` }, timeout: 2000 }, (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        });
        req.on('error', () => resolve(false));
        req.on('timeout', () => req.destroy());
      });
    try {
      await waitReady(r, ready, { timeoutMs: 60000 });
    } catch (e) {
      await stopProcess(r.child, 1000, 'SIGKILL');
      throw e;
    }
    return { url, logs: r.output, stop: () => stopProcess(r.child) };
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kats-csr-'));
  // The cluster PKI's own code (pki/pki.ts): a CA, and a serving certificate for 127.0.0.1 (kubectl sends bearer tokens over TLS only).
  const authority = newCA('csr-test-ca');
  ca = authority.cert;
  writeIssued(dir, 'ca', authority);
  writeIssued(dir, 'serving', issue(authority, { commonName: 'kube-apiserver', usage: 'server', ips: ['127.0.0.1'] }));
  writeFileSync(path.join(dir, 'tokens.csv'), [
    `${tokens.admin},admin,admin-uid,system:masters`,
    `${tokens.alice},alice,alice-uid,"dev,qa"`,
    `${tokens.approver},approver,approver-uid,approvers`,
  ].join('\n') + '\n');
  etcd = await startEtcd(dir);
  const flags = [
    `--tls-cert-file=${path.join(dir, 'serving.crt')}`, `--tls-private-key-file=${path.join(dir, 'serving.key')}`,
    `--token-auth-file=${path.join(dir, 'tokens.csv')}`, '--anonymous-auth=false',
    `--cluster-signing-cert-file=${path.join(dir, 'ca.crt')}`, `--cluster-signing-key-file=${path.join(dir, 'ca.key')}`,
    '--cluster-signing-duration=2h',
  ];
  server = await startSecuredServer(etcd.url, flags);
  second = await startSecuredServer(etcd.url, flags);
  for (const [user, token] of Object.entries(tokens)) {
    kubeconfigs[user] = path.join(dir, `${user}.kubeconfig`);
    writeFileSync(kubeconfigs[user], [
      'apiVersion: v1', 'kind: Config',
      'clusters:', `- cluster: {server: "${server.url}", certificate-authority-data: ${Buffer.from(forge.pki.certificateToPem(ca)).toString('base64')}}`, '  name: test',
      'contexts:', `- context: {cluster: test, user: ${user}}`, '  name: test',
      'current-context: test',
      'users:', `- name: ${user}`, `  user: {token: ${token}}`, '',
    ].join('\n'));
  }
}, 120_000);

afterAll(async () => {
  await second?.stop();
  await server?.stop();
  await etcd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

it('fills in the requester, approves with kubectl, and issues a certificate that chains to the CA', async () => {
  ok(as('alice', ['create', '-f', '-'], csrYaml('alice-client', request('alice', ['dev']), 'kubernetes.io/kube-apiserver-client', ['client auth', 'digital signature'], 3600)));
  const created = getCSR('alice-client');
  expect(created.spec.username).toBe('alice');
  expect(created.spec.uid).toBe('alice-uid');
  expect(created.spec.groups).toEqual(['dev', 'qa', 'system:authenticated']);
  expect(ok(as('admin', ['get', 'csr', 'alice-client']))).toMatch(/^NAME\s+AGE\s+SIGNERNAME\s+REQUESTOR\s+REQUESTEDDURATION\s+CONDITION\nalice-client\s+\S+\s+kubernetes.io\/kube-apiserver-client\s+alice\s+60m\s+Pending\n$/);

  expect(ok(as('approver', ['certificate', 'approve', 'alice-client']))).toContain('certificatesigningrequest.certificates.k8s.io/alice-client approved');
  await eventually(() => getCSR('alice-client').status.certificate, { what: 'the certificate to be issued' });
  const csr = getCSR('alice-client');
  expect(csr.status.conditions?.map((c) => [c.type, c.status, c.reason])).toEqual([['Approved', 'True', 'KubectlApprove']]);
  const cert = forge.pki.certificateFromPem(Buffer.from(csr.status.certificate!, 'base64').toString());
  expect(ca.verify(cert)).toBe(true);
  expect(cert.subject.getField('CN').value).toBe('alice');
  expect(cert.subject.getField('O').value).toBe('dev');
  const ext = cert.getExtension('extKeyUsage') as { clientAuth?: boolean; serverAuth?: boolean };
  expect(ext.clientAuth).toBe(true);
  expect(ext.serverAuth).toBeUndefined();
  expect((cert.getExtension('keyUsage') as { digitalSignature?: boolean }).digitalSignature).toBe(true);
  // 1 h asked (under --cluster-signing-duration=2h), backdated 5 minutes.
  expect(cert.validity.notAfter.getTime() - cert.validity.notBefore.getTime()).toBe((3600 + 300) * 1000);
  expect(ok(as('admin', ['get', 'csr', 'alice-client', '--no-headers']))).toMatch(/Approved,Issued\n$/);
}, 120_000);

it('denies, and fails a request its signer refuses with kube\'s condition', async () => {
  ok(as('alice', ['create', '-f', '-'], csrYaml('to-deny', request('alice'), 'kubernetes.io/kube-apiserver-client', ['client auth'])));
  expect(ok(as('approver', ['certificate', 'deny', 'to-deny']))).toContain('certificatesigningrequest.certificates.k8s.io/to-deny denied');

  // Not a node's name: the kubelet client signer refuses it once approved.
  ok(as('alice', ['create', '-f', '-'], csrYaml('not-a-node', request('alice', ['system:nodes']), 'kubernetes.io/kube-apiserver-client-kubelet', ['client auth', 'digital signature'])));
  ok(as('approver', ['certificate', 'approve', 'not-a-node']));
  await eventually(() => getCSR('not-a-node').status.conditions?.some((c) => c.type === 'Failed'), { what: 'the Failed condition' });
  const failed = getCSR('not-a-node');
  expect(failed.status.certificate).toBeUndefined();
  expect(failed.status.conditions?.find((c) => c.type === 'Failed')).toMatchObject({
    status: 'True', reason: 'SignerValidationFailure', message: 'subject common name does not begin with system:node:',
  });

  // Both went through a signer pass by now: the denied one stays unsigned and cannot be approved any more.
  const denied = getCSR('to-deny');
  expect(denied.status.conditions?.map((c) => [c.type, c.reason])).toEqual([['Denied', 'KubectlDeny']]);
  expect(denied.status.certificate).toBeUndefined();
  const approve = as('approver', ['certificate', 'approve', 'to-deny']);
  expect(approve.code).not.toBe(0);
  expect(approve.stderr).toContain('is already Denied');
  expect(ok(as('admin', ['get', 'csr', 'to-deny', 'not-a-node', '--no-headers']))).toMatch(/to-deny .*Denied\nnot-a-node .*Approved,Failed\n$/);
}, 120_000);

it('refuses a system:masters client certificate and malformed requests as kube does', async () => {
  const masters = as('admin', ['create', '-f', '-'], csrYaml('masters', request('root', ['system:masters']), 'kubernetes.io/kube-apiserver-client', ['client auth']));
  expect(masters.code).not.toBe(0);
  expect(masters.stderr).toContain('certificatesigningrequests.certificates.k8s.io "masters" is forbidden: use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed');

  const bad = as('admin', ['create', '-f', '-'], csrYaml('bad', Buffer.from('hello\n').toString('base64'), 'foo', ['client auth', 'bogus', 'client auth'], 100));
  expect(bad.stderr).toContain('spec.request: Invalid value: "aGVsbG8K": PEM block type must be CERTIFICATE REQUEST');
  expect(bad.stderr).toContain('spec.usages[1]: Unsupported value: "bogus"');
  expect(bad.stderr).toContain('spec.usages[2]: Duplicate value: "client auth"');
  expect(bad.stderr).toContain("spec.signerName: Invalid value: \"foo\": must be a fully qualified domain and path of the form 'example.com/signer-name'");
  expect(bad.stderr).toContain('spec.expirationSeconds: Invalid value: 100: may not specify a duration less than 600 seconds (10 minutes)');

  // The certificate is set only through /status, by whoever may `sign` for the signer.
  ok(as('alice', ['create', '-f', '-'], csrYaml('no-sign', request('alice'), 'example.com/custom', ['client auth'])));
  const pem = Buffer.from(forge.pki.certificateToPem(ca)).toString('base64');
  const viaMain = as('admin', ['patch', 'csr', 'no-sign', '--type=merge', '-p', JSON.stringify({ status: { certificate: pem } })]);
  expect(viaMain.stdout + viaMain.stderr).toContain('(no change)');
  const garbage = as('admin', ['patch', 'csr', 'no-sign', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { certificate: Buffer.from('hello').toString('base64') } })]);
  expect(garbage.stderr).toContain('status.certificate: Invalid value: "<certificate data>": must contain at least one CERTIFICATE PEM block');
  ok(as('admin', ['patch', 'csr', 'no-sign', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { certificate: pem } })]));
  expect(getCSR('no-sign').status.certificate).toBe(pem);
}, 120_000);

it('issues every approved request while two instances sign, a lost race being quiet', async () => {
  const names = ['ha-0', 'ha-1', 'ha-2', 'ha-3'];
  for (const name of names) ok(as('alice', ['create', '-f', '-'], csrYaml(name, request(name), 'kubernetes.io/kube-apiserver-client', ['client auth'])));
  // one approval call for all, so both instances see them approved at about the same time
  ok(as('approver', ['certificate', 'approve', ...names]));
  await eventually(() => names.every((n) => getCSR(n).status.certificate), { what: 'every certificate to be issued' });
  for (const name of names) {
    const csr = JSON.parse(ok(as('admin', ['get', 'csr', name, '-o', 'json', '--show-managed-fields']))) as { metadata: { managedFields: { manager: string; subresource?: string }[] }; status: { certificate: string } };
    const cert = forge.pki.certificateFromPem(Buffer.from(csr.status.certificate, 'base64').toString());
    expect(ca.verify(cert)).toBe(true);
    expect(cert.subject.getField('CN').value).toBe(name);
    expect(csr.metadata.managedFields.filter((m) => m.manager === 'kube-controller-manager').map((m) => m.subresource)).toEqual(['status']);
  }
  // a lost race is a conflict, dropped quietly; nothing else went wrong
  expect(server!.logs() + second!.logs()).not.toContain('certificate signer:');
}, 120_000);
