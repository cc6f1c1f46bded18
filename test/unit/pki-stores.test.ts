// The stores' part of the launcher's PKI: kubeadm's etcd files, Redis's certificates, password, ACL
// file and the fan-out stream key; made once, added to an older PKI, made again only when they must be.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import forge from 'node-forge';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureEtcdPKI } from '../../pki/etcd.js';
import { ensurePKI } from '../../pki/pki.js';
import { ensureRedisPKI, redisACL } from '../../pki/redis.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'pki-stores-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cert = (file: string) => forge.pki.certificateFromPem(readFileSync(file, 'utf8'));
const names = (file: string) => ((cert(file).getExtension('subjectAltName') as { altNames: { value?: string; ip?: string }[] }).altNames).map((n) => n.ip ?? n.value);
const mode = (file: string) => statSync(file).mode & 0o777;

describe('the stores\' PKI', () => {
  it('adds kubeadm\'s etcd files to an existing PKI, signed by an etcd CA of its own', () => {
    const pki = ensurePKI(path.join(dir, 'pki'), { dnsNames: ['localhost'], ips: ['127.0.0.1'] });
    const etcd = ensureEtcdPKI(pki.dir, { dnsNames: ['localhost', 'etcd-1', 'etcd-2'], ips: ['127.0.0.1', '10.0.0.5'] });
    expect(path.relative(pki.dir, etcd.caCert)).toBe('etcd/ca.crt');
    expect(path.relative(pki.dir, etcd.apiserverClientCert)).toBe('apiserver-etcd-client.crt');
    const ca = cert(etcd.caCert);
    expect(ca.subject.getField('CN').value).toBe('etcd-ca');
    for (const f of [etcd.serverCert, etcd.peerCert, etcd.healthcheckClientCert, etcd.apiserverClientCert]) expect(ca.verify(cert(f))).toBe(true);
    expect(names(etcd.serverCert)).toEqual(['localhost', 'etcd-1', 'etcd-2', '127.0.0.1', '10.0.0.5']);
    expect(cert(etcd.apiserverClientCert).subject.getField('CN').value).toBe('kube-apiserver-etcd-client');
    expect(cert(etcd.healthcheckClientCert).subject.getField('CN').value).toBe('kube-etcd-healthcheck-client');
    for (const f of [etcd.caKey, etcd.serverKey, etcd.apiserverClientKey]) expect(mode(f)).toBe(0o600);
    // Reused as they are; the serving certificate again for a member it does not name.
    const client = readFileSync(etcd.apiserverClientCert, 'utf8');
    const server = readFileSync(etcd.serverCert, 'utf8');
    ensureEtcdPKI(pki.dir, { dnsNames: ['localhost', 'etcd-1', 'etcd-2'], ips: ['127.0.0.1', '10.0.0.5'] });
    expect(readFileSync(etcd.serverCert, 'utf8')).toBe(server);
    ensureEtcdPKI(pki.dir, { dnsNames: ['localhost', 'etcd-1', 'etcd-2', 'etcd-3'], ips: ['127.0.0.1'] });
    expect(names(etcd.serverCert)).toContain('etcd-3');
    expect(readFileSync(etcd.apiserverClientCert, 'utf8')).toBe(client);
    // A new etcd CA (its files deleted): every certificate it did not sign is made again.
    rmSync(etcd.caCert);
    ensureEtcdPKI(pki.dir, { dnsNames: ['localhost', 'etcd-1'], ips: ['127.0.0.1'] });
    expect(cert(etcd.caCert).verify(cert(etcd.apiserverClientCert))).toBe(true);
  }, 60000);

  it('makes Redis\'s certificates, a 0600 password only hashed in the ACL file, and the stream key, once', () => {
    const pkiDir = path.join(dir, 'pki');
    const redis = ensureRedisPKI(pkiDir, { dnsNames: ['localhost'], ips: ['127.0.0.1'] }, 'kube-apiserver-ts:*');
    const password = readFileSync(redis.password, 'utf8').trim();
    expect(password).toMatch(/^[0-9a-f]{64}$/);
    expect(readFileSync(redis.streamKey, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
    for (const f of [redis.password, redis.streamKey, redis.aclFile, redis.caKey, redis.clientKey]) expect(mode(f)).toBe(0o600);
    const acl = readFileSync(redis.aclFile, 'utf8');
    expect(acl).toBe(redisACL(password, 'kube-apiserver-ts:*'));
    expect(acl).not.toContain(password);
    expect(acl).toMatch(/^user default off /m);
    expect(acl).toMatch(/^user kube-apiserver on #[0-9a-f]{64} resetkeys ~kube-apiserver-ts:\* .*-@dangerous/m);
    expect(cert(redis.caCert).verify(cert(redis.clientCert))).toBe(true);
    const key = readFileSync(redis.streamKey, 'utf8');
    ensureRedisPKI(pkiDir, { dnsNames: ['localhost'], ips: ['127.0.0.1'] }, 'kube-apiserver-ts:*');
    expect(readFileSync(redis.password, 'utf8').trim()).toBe(password);
    expect(readFileSync(redis.streamKey, 'utf8')).toBe(key);
  }, 60000);
});
