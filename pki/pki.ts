// The cluster's PKI, made with node-forge in kubeadm's layout (<dir>/ca.crt, apiserver.crt,
// front-proxy-ca.crt, front-proxy-client.crt, sa.key/sa.pub...): the launcher makes it on first
// start, `npm run pki` on demand. Keys come from node:crypto (forge's own RSA search is slow on a busy
// machine); certificates, CSRs and the CRL are forge's.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';

export interface KeyPair {
  key: forge.pki.rsa.PrivateKey;
  keyPem: string;
}

export interface Issued extends KeyPair {
  cert: forge.pki.Certificate;
  certPem: string;
}

export function newKey(): KeyPair {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  return { key: forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey, keyPem };
}

const day = 24 * 3600 * 1000;

function baseCert(publicKey: forge.pki.PublicKey, notBefore: Date, notAfter: Date): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // A positive serial of 128 random bits, as Go's x509 tooling makes them.
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  cert.serialNumber = serial.toString('hex');
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  return cert;
}

/**
 * A self-signed CA, 10 years as kubeadm's. `serving`: also a server certificate for these names
 * (a test server that is its own CA).
 */
export function newCA(commonName: string, years = 10, serving?: { serverAuth: true; dnsNames: string[]; ips: string[] }): Issued {
  const kp = newKey();
  const now = Date.now();
  const cert = baseCert(forge.pki.setRsaPublicKey(kp.key.n, kp.key.e), new Date(now - 5 * 60 * 1000), new Date(now + years * 365 * day));
  const subject = [{ name: 'commonName', value: commonName }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
    ...(serving ? [{ name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [...serving.dnsNames.map((value) => ({ type: 2, value })), ...serving.ips.map((ip) => ({ type: 7, ip }))] }] : []),
  ]);
  cert.sign(kp.key, forge.md.sha256.create());
  return { ...kp, cert, certPem: forge.pki.certificateToPem(cert) };
}

export interface CertRequest {
  commonName: string;
  organizations?: string[];
  usage: 'server' | 'client' | 'both';
  dnsNames?: string[];
  ips?: string[];
  /** Validity; kubeadm's leaf certificates last a year. */
  days?: number;
  /** Start in the past (an expired certificate for tests). */
  notBefore?: Date;
  notAfter?: Date;
}

/** A leaf certificate (and a new key) signed by `ca`. */
export function issue(ca: Issued, req: CertRequest): Issued {
  const kp = newKey();
  return { ...kp, ...signPublicKey(ca, forge.pki.setRsaPublicKey(kp.key.n, kp.key.e), req) };
}

/** Signs a certificate for `publicKey` (e.g. from a CSR) with `ca`. */
export function signPublicKey(ca: Issued, publicKey: forge.pki.PublicKey, req: CertRequest): { cert: forge.pki.Certificate; certPem: string } {
  const now = Date.now();
  const notBefore = req.notBefore ?? new Date(now - 5 * 60 * 1000);
  const notAfter = req.notAfter ?? new Date(now + (req.days ?? 365) * day);
  const cert = baseCert(publicKey, notBefore, notAfter);
  cert.setSubject([
    ...(req.organizations ?? []).map((o) => ({ name: 'organizationName', value: o })),
    { name: 'commonName', value: req.commonName },
  ]);
  cert.setIssuer(ca.cert.subject.attributes);
  const extensions: object[] = [
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: req.usage !== 'client', clientAuth: req.usage !== 'server' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.cert.generateSubjectKeyIdentifier().getBytes() },
  ];
  const alt = [...(req.dnsNames ?? []).map((value) => ({ type: 2, value })), ...(req.ips ?? []).map((ip) => ({ type: 7, ip }))];
  if (alt.length) extensions.push({ name: 'subjectAltName', altNames: alt });
  cert.setExtensions(extensions);
  cert.sign(ca.key, forge.md.sha256.create());
  return { cert, certPem: forge.pki.certificateToPem(cert) };
}

export function loadIssued(certFile: string, keyFile: string): Issued {
  const certPem = readFileSync(certFile, 'utf8');
  const keyPem = readFileSync(keyFile, 'utf8');
  return { cert: forge.pki.certificateFromPem(certPem), certPem, key: forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey, keyPem };
}

export function writeIssued(dir: string, base: string, issued: Issued): void {
  writeFileSync(path.join(dir, `${base}.crt`), issued.certPem);
  writeFileSync(path.join(dir, `${base}.key`), issued.keyPem, { mode: 0o600 });
}

/**
 * A CRL (RFC 5280 CertificateList v2) of `serials`, signed by `ca`: forge has no CRL writer, so the
 * ASN.1 is built here. The LB loads it (--client-crl-file) and refuses the revoked certificates.
 */
export function crl(ca: Issued, serials: string[], days = 30): string {
  const a = forge.asn1;
  const seq = (v: forge.asn1.Asn1[]) => a.create(a.Class.UNIVERSAL, a.Type.SEQUENCE, true, v);
  const time = (d: Date) => a.create(a.Class.UNIVERSAL, a.Type.UTCTIME, false, a.dateToUtcTime(d));
  const int = (hex: string) => a.create(a.Class.UNIVERSAL, a.Type.INTEGER, false, forge.util.hexToBytes(hex.length % 2 ? `0${hex}` : hex));
  const sha256WithRSA = () => seq([a.create(a.Class.UNIVERSAL, a.Type.OID, false, a.oidToDer(forge.pki.oids.sha256WithRSAEncryption).getBytes()),
    a.create(a.Class.UNIVERSAL, a.Type.NULL, false, '')]);
  const now = new Date();
  const tbsParts = [
    a.create(a.Class.UNIVERSAL, a.Type.INTEGER, false, a.integerToDer(1).getBytes()),
    sha256WithRSA(),
    forge.pki.distinguishedNameToAsn1(ca.cert.subject),
    time(now),
    time(new Date(now.getTime() + days * day)),
  ];
  if (serials.length) tbsParts.push(seq(serials.map((s) => seq([int(s), time(now)]))));
  const tbs = seq(tbsParts);
  const md = forge.md.sha256.create();
  md.update(a.toDer(tbs).getBytes());
  const signature = ca.key.sign(md);
  const list = seq([tbs, sha256WithRSA(), a.create(a.Class.UNIVERSAL, a.Type.BITSTRING, false, String.fromCharCode(0) + signature)]);
  const der = a.toDer(list).getBytes();
  return `-----BEGIN X509 CRL-----\n${forge.util.encode64(der, 64)}\n-----END X509 CRL-----\n`;
}

/** The files of one cluster's PKI, kubeadm's names. */
export function pkiFiles(dir: string) {
  const f = (name: string) => path.join(dir, name);
  return {
    dir,
    caCert: f('ca.crt'), caKey: f('ca.key'), crl: f('ca.crl'), revoked: f('revoked-serials.txt'),
    servingCert: f('apiserver.crt'), servingKey: f('apiserver.key'),
    frontProxyCACert: f('front-proxy-ca.crt'), frontProxyCAKey: f('front-proxy-ca.key'),
    frontProxyClientCert: f('front-proxy-client.crt'), frontProxyClientKey: f('front-proxy-client.key'),
    saKey: f('sa.key'), saPub: f('sa.pub'),
  };
}

export type PkiFiles = ReturnType<typeof pkiFiles>;

export interface PkiOptions {
  /** Host names and IPs the serving certificate must name (the LB, every instance, localhost, the Service IP...). */
  dnsNames: string[];
  ips: string[];
}

/**
 * Makes whatever is missing: a CA is never replaced (clients trust it); the serving certificate is
 * made again when it lacks a name it must have now (another bind address, more instances).
 */
export function ensurePKI(dir: string, opts: PkiOptions): PkiFiles {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = pkiFiles(dir);
  const ca = existsSync(files.caCert) ? loadIssued(files.caCert, files.caKey) : save(files.dir, 'ca', newCA('kubernetes'));
  const frontProxyCA = existsSync(files.frontProxyCACert)
    ? loadIssued(files.frontProxyCACert, files.frontProxyCAKey) : save(files.dir, 'front-proxy-ca', newCA('front-proxy-ca'));
  if (!existsSync(files.servingCert) || !namesAll(loadIssued(files.servingCert, files.servingKey).cert, opts)) {
    save(files.dir, 'apiserver', issue(ca, { commonName: 'kube-apiserver', usage: 'server', dnsNames: opts.dnsNames, ips: opts.ips }));
  }
  if (!existsSync(files.frontProxyClientCert)) save(files.dir, 'front-proxy-client', issue(frontProxyCA, { commonName: 'front-proxy-client', usage: 'client' }));
  if (!existsSync(files.saKey)) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(files.saKey, privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });
    writeFileSync(files.saPub, publicKey.export({ type: 'spki', format: 'pem' }));
  }
  if (!existsSync(files.crl)) writeCRL(files, ca);
  return files;
}

function save(dir: string, base: string, issued: Issued): Issued {
  writeIssued(dir, base, issued);
  return issued;
}

/** Whether `ca` signed `cert` (a CA made again, e.g. its files deleted, leaves leaves nobody trusts). */
export function issuedBy(ca: Issued, cert: forge.pki.Certificate): boolean {
  try {
    return ca.cert.verify(cert);
  } catch {
    return false;
  }
}

/** Whether the certificate in `certFile` can stay: `ca` signed it and it names all of `names` (when given). */
export function currentLeaf(ca: Issued, certFile: string, keyFile: string, names?: PkiOptions): boolean {
  if (!existsSync(certFile)) return false;
  const leaf = loadIssued(certFile, keyFile).cert;
  return issuedBy(ca, leaf) && (!names || namesAll(leaf, names));
}

/** Whether `cert` names every one of these host names and IPs (else it is issued again). */
export function namesAll(cert: forge.pki.Certificate, opts: PkiOptions): boolean {
  const ext = cert.getExtension('subjectAltName') as { altNames?: { type: number; value?: string; ip?: string }[] } | undefined;
  const alt = ext?.altNames ?? [];
  return opts.dnsNames.every((d) => alt.some((n) => n.type === 2 && n.value === d)) && opts.ips.every((ip) => alt.some((n) => n.type === 7 && n.ip === ip));
}

/** Adds a certificate's serial to the CA's revocation list (the LB reads it at start). */
export function revoke(files: PkiFiles, certPem: string): string {
  const serial = forge.pki.certificateFromPem(certPem).serialNumber;
  const serials = revokedSerials(files);
  if (!serials.includes(serial)) serials.push(serial);
  writeFileSync(files.revoked, serials.join('\n') + '\n');
  writeCRL(files, loadIssued(files.caCert, files.caKey));
  return serial;
}

function revokedSerials(files: PkiFiles): string[] {
  return existsSync(files.revoked) ? readFileSync(files.revoked, 'utf8').split('\n').map((s) => s.trim()).filter(Boolean) : [];
}

function writeCRL(files: PkiFiles, ca: Issued): void {
  // Ten years: the list is rewritten on every revocation, and an expired CRL would fail every client certificate.
  writeFileSync(files.crl, crl(ca, revokedSerials(files), 3650));
}

/** A kubeconfig with the CA and a client certificate embedded (kubeadm's admin.conf shape). */
export function clientKubeconfig(server: string, caPem: string, client: { certPem: string; keyPem: string }, user: string, cluster = 'kubernetes'): string {
  const b64 = (s: string) => Buffer.from(s).toString('base64');
  return [
    'apiVersion: v1', 'kind: Config', 'preferences: {}',
    'clusters:', `- name: ${cluster}`, '  cluster:', `    server: ${server}`, `    certificate-authority-data: ${b64(caPem)}`,
    'contexts:', `- name: ${user}@${cluster}`, '  context:', `    cluster: ${cluster}`, `    user: ${user}`,
    `current-context: ${user}@${cluster}`,
    'users:', `- name: ${user}`, '  user:', `    client-certificate-data: ${b64(client.certPem)}`, `    client-key-data: ${b64(client.keyPem)}`, '',
  ].join('\n');
}

/** A client certificate signed by the cluster CA, written as a kubeconfig (admin.conf, controller-manager.conf...). */
export function writeClientKubeconfig(files: PkiFiles, file: string, server: string, commonName: string, organizations: string[] = []): void {
  const ca = loadIssued(files.caCert, files.caKey);
  const client = issue(ca, { commonName, organizations, usage: 'client' });
  writeFileSync(file, clientKubeconfig(server, ca.certPem, client, commonName.replace(/[^a-zA-Z0-9-]/g, '-')), { mode: 0o600 });
}
