// Signs a PKCS#10 request with a CA, as kube's certificate authority (controller/certificates/authority)
// under its PermissiveSigningPolicy: subject and SANs from the request, a random serial, key usages from
// spec.usages, backdated 5 minutes, never past the CA's own expiry. node-forge builds the
// TBSCertificate; the request's public key (RSA, ECDSA or Ed25519) is put in as it is, the subject as
// Go writes the request's parsed pkix.Name (only what Go read from it), and node:crypto signs it with the CA's RSA key.
import { createPrivateKey, generateKeyPairSync, type KeyObject, randomBytes, sign } from 'node:crypto';
import forge from 'node-forge';
import { marshalName } from '../../pki/x509-name.js';
import type { ParsedRequest } from './request.js';

export interface SigningCA {
  cert: forge.pki.Certificate;
  key: KeyObject;
}

/** The CA must be RSA (as the project's PKI makes it): node-forge reads RSA certificates only. */
export function loadCA(certPem: string, keyPem: string): SigningCA {
  const key = createPrivateKey(keyPem);
  if (key.asymmetricKeyType !== 'rsa') throw new Error(`--cluster-signing-key-file: a ${key.asymmetricKeyType} key; only RSA signing keys are supported`);
  return { cert: forge.pki.certificateFromPem(certPem), key };
}

/** node-forge encodes RSA public keys only: the TBSCertificate is built with this one, then given the request's. */
let placeholder: forge.pki.rsa.PublicKey | undefined;
function placeholderKey(): forge.pki.rsa.PublicKey {
  placeholder ??= forge.pki.publicKeyFromPem(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'pem' }).toString()) as forge.pki.rsa.PublicKey;
  return placeholder;
}

/** spec.usages to the keyUsage bits node-forge names (several usages share one bit). */
const keyUsageBits: Record<string, string> = {
  signing: 'digitalSignature', 'digital signature': 'digitalSignature', 'content commitment': 'nonRepudiation',
  'key encipherment': 'keyEncipherment', 'key agreement': 'keyAgreement', 'data encipherment': 'dataEncipherment',
  'cert sign': 'keyCertSign', 'crl sign': 'cRLSign', 'encipher only': 'encipherOnly', 'decipher only': 'decipherOnly',
};

/** spec.usages to extended key usage OIDs, in Go's x509.ExtKeyUsage order (kube sorts them so). */
const extKeyUsageOids: [string, string][] = [
  ['any', '2.5.29.37.0'], ['server auth', '1.3.6.1.5.5.7.3.1'], ['client auth', '1.3.6.1.5.5.7.3.2'], ['code signing', '1.3.6.1.5.5.7.3.3'],
  ['email protection', '1.3.6.1.5.5.7.3.4'], ['s/mime', '1.3.6.1.5.5.7.3.4'], ['ipsec end system', '1.3.6.1.5.5.7.3.5'],
  ['ipsec tunnel', '1.3.6.1.5.5.7.3.6'], ['ipsec user', '1.3.6.1.5.5.7.3.7'], ['timestamping', '1.3.6.1.5.5.7.3.8'],
  ['ocsp signing', '1.3.6.1.5.5.7.3.9'], ['microsoft sgc', '1.3.6.1.4.1.311.10.3.3'], ['netscape sgc', '2.16.840.1.113730.4.1'],
];

const backdateMs = 5 * 60_000;
/** Below this lifetime the backdate is not taken off the end (kube's Short: 5 minutes is about 1% of 8 hours). */
const shortMs = 8 * 3600_000;

/** A positive serial below 2^128, as kube's rand.Int(serialNumberLimit). */
function randomSerial(): string {
  const b = randomBytes(16);
  b[0] &= 0x7f;
  return b.toString('hex');
}

/** The issued certificate as PEM; throws when the CA has expired. */
export function signRequest(ca: SigningCA, req: ParsedRequest, usages: string[], ttlMs: number, now = Date.now()): string {
  const caNotAfter = ca.cert.validity.notAfter.getTime();
  if (now - backdateMs >= caNotAfter) throw new Error(`the signer has expired: NotAfter=${ca.cert.validity.notAfter.toISOString()}`);
  if (now >= caNotAfter) throw new Error(`refusing to sign a certificate that expired in the past: NotAfter=${ca.cert.validity.notAfter.toISOString()}`);
  const cert = forge.pki.createCertificate();
  cert.publicKey = placeholderKey();
  cert.serialNumber = randomSerial();
  cert.validity.notBefore = new Date(now - backdateMs);
  cert.validity.notAfter = new Date(Math.min(ttlMs < shortMs ? now + ttlMs : now + ttlMs - backdateMs, caNotAfter));
  cert.setIssuer(ca.cert.subject.attributes);

  const extensions: Record<string, unknown>[] = [];
  const bits = Object.fromEntries(usages.flatMap((u) => (keyUsageBits[u] ? [[keyUsageBits[u], true]] : [])));
  if (Object.keys(bits).length) extensions.push({ name: 'keyUsage', critical: true, ...bits });
  const ext = [...new Set(extKeyUsageOids.filter(([u]) => usages.includes(u)).map(([, oid]) => oid))];
  // Built here: node-forge's own extKeyUsage encoder knows the few OIDs it has names for.
  const { asn1 } = forge;
  const oidNode = (oid: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(oid).getBytes());
  if (ext.length) extensions.push({ id: '2.5.29.37', value: asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, ext.map(oidNode)) });
  extensions.push({ name: 'basicConstraints', critical: true, cA: false });
  const altNames = [
    ...req.dnsNames.map((value) => ({ type: 2, value })), ...req.emailAddresses.map((value) => ({ type: 1, value })),
    ...req.ipAddresses.map((ip) => ({ type: 7, ip })), ...req.uris.map((value) => ({ type: 6, value })),
  ];
  if (altNames.length) extensions.push({ name: 'subjectAltName', altNames });
  const caKeyId = ca.cert.getExtension('subjectKeyIdentifier') as { subjectKeyIdentifier?: string } | undefined;
  if (caKeyId?.subjectKeyIdentifier) extensions.push({ name: 'authorityKeyIdentifier', keyIdentifier: forge.util.hexToBytes(caKeyId.subjectKeyIdentifier) });
  cert.setExtensions(extensions);

  const sha256WithRSA = forge.pki.oids.sha256WithRSAEncryption;
  cert.siginfo.algorithmOid = sha256WithRSA;
  const tbs = (forge.pki as unknown as { getTBSCertificate(c: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate(cert);
  // TBSCertificate: version, serialNumber, signature, issuer, validity, subject, subjectPublicKeyInfo, extensions
  const fields = tbs.value as forge.asn1.Asn1[];
  // Never the request's bytes: kube's signer re-encodes cr.Subject, so what Go did not read is not signed.
  fields[5] = asn1.fromDer(marshalName(req.subject).toString('binary'));
  fields[6] = req.publicKeyInfo;
  const tbsDer = Buffer.from(asn1.toDer(tbs).getBytes(), 'binary');
  const signature = sign('sha256', tbsDer, ca.key);
  const algorithm = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(sha256WithRSA).getBytes()),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, ''),
  ]);
  const certificate = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    tbs, algorithm, asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, '\0' + signature.toString('binary')),
  ]);
  return forge.pem.encode({ type: 'CERTIFICATE', body: asn1.toDer(certificate).getBytes() });
}
