// Reading what a CertificateSigningRequest carries: the PKCS#10 request in spec.request and the
// PEM certificates in status.certificate (base64 in JSON, as Go's []byte). The request is read with
// node-forge's ASN.1 parser and its signature checked with node:crypto, so RSA, ECDSA and Ed25519
// keys all work (node-forge's own CSR reader knows RSA only). The subject is read as Go reads a CSR's
// (pki/x509-name.ts): a value Go reads no string from is no CN or O here either.
import { createPublicKey, type KeyObject, verify } from 'node:crypto';
import forge from 'node-forge';
import { pemBlocks } from '../../pki/pem.js';
import { parseName, type PkixName, toPkixName } from '../../pki/x509-name.js';

/** The parsed request: subject and subject alternative names, as the signer rules read them. */
export interface ParsedRequest {
  /** The subject as Go's pkix.Name holds it: what kube's signer writes into the certificate. */
  subject: PkixName;
  /** subjectPublicKeyInfo as ASN.1, copied into the certificate as it is. */
  publicKeyInfo: forge.asn1.Asn1;
  publicKey: KeyObject;
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  ipAddresses: string[];
  emailAddresses: string[];
  uris: string[];
}

/** Go's []byte in JSON: base64 text. */
export function bytesOf(b64: unknown): Buffer {
  return typeof b64 === 'string' ? Buffer.from(b64, 'base64') : Buffer.alloc(0);
}

/** Signature algorithm OIDs to the digest node:crypto verifies with (null: the key decides, Ed25519). */
const signatureDigests: Record<string, string | null> = {
  '1.2.840.113549.1.1.5': 'sha1', '1.2.840.113549.1.1.11': 'sha256', '1.2.840.113549.1.1.12': 'sha384', '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.1': 'sha1', '1.2.840.10045.4.3.2': 'sha256', '1.2.840.10045.4.3.3': 'sha384', '1.2.840.10045.4.3.4': 'sha512',
  '1.3.101.112': null,
};
/** Go's CheckSignature errors per key type. */
const verificationFailures: Record<string, string> = {
  rsa: 'crypto/rsa: verification error', ec: 'x509: ECDSA verification failure', ed25519: 'x509: Ed25519 verification failure',
};
const extensionRequestOid = '1.2.840.113549.1.9.14';
const subjectAltNameOid = '2.5.29.17';

/** A node-forge function its typings leave out. */
const forgeExtras = forge as unknown as { util: { bytesToIP(bytes: string): string } };

const children = (node: forge.asn1.Asn1): forge.asn1.Asn1[] => (Array.isArray(node.value) ? node.value : []);
const der = (node: forge.asn1.Asn1): Buffer => Buffer.from(forge.asn1.toDer(node).getBytes(), 'binary');

/** kube's certificates.ParseCSR and CheckSignature; throws with Go's messages where they are known. */
export function parseRequest(request: Buffer): ParsedRequest {
  const block = pemBlocks(request.toString('latin1'))[0];
  if (!block || block.type !== 'CERTIFICATE REQUEST') throw new Error('PEM block type must be CERTIFICATE REQUEST');
  let info: forge.asn1.Asn1, algorithm: string, signature: Buffer;
  try {
    // BIT STRINGs stay opaque, so every part re-encodes to the bytes that were signed.
    const root = forge.asn1.fromDer(forge.util.decode64(block.body.replace(/\s+/g, '')), { decodeBitStrings: false } as never);
    const [i, alg, sig] = children(root);
    info = i;
    algorithm = forge.asn1.derToOid(children(alg)[0].value as string);
    // BIT STRING: the first byte counts unused bits
    signature = Buffer.from((sig.value as string).slice(1), 'binary');
  } catch (e) {
    throw new Error(`asn1: structure error: ${(e as Error).message}`);
  }
  const [, subject, publicKeyInfo, attributes] = children(info);
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: der(publicKeyInfo), format: 'der', type: 'spki' });
  } catch (e) {
    throw new Error(`x509: failed to parse public key: ${(e as Error).message}`);
  }
  if (!(algorithm in signatureDigests)) throw new Error('x509: cannot verify signature: algorithm unimplemented');
  let verified = false;
  try {
    verified = verify(signatureDigests[algorithm], der(info), publicKey, signature);
  } catch {
    // a signature that does not even decode is as wrong as one that does not match
  }
  if (!verified) throw new Error(verificationFailures[publicKey.asymmetricKeyType ?? ''] ?? 'x509: signature verification failure');

  const name = toPkixName(parseName(der(subject), 'request'));
  return {
    subject: name, publicKeyInfo, publicKey, commonName: name.commonName, organizations: name.organization, ...subjectAltNames(attributes),
  };
}

/** SANs of the request's extensionRequest attribute (GeneralName tags 2 DNS, 1 email, 6 URI, 7 IP). */
function subjectAltNames(attributes: forge.asn1.Asn1 | undefined): Pick<ParsedRequest, 'dnsNames' | 'ipAddresses' | 'emailAddresses' | 'uris'> {
  const out = { dnsNames: [] as string[], ipAddresses: [] as string[], emailAddresses: [] as string[], uris: [] as string[] };
  for (const attr of attributes ? children(attributes) : []) {
    const [oid, values] = children(attr);
    if (!oid || forge.asn1.derToOid(oid.value as string) !== extensionRequestOid) continue;
    for (const extensions of children(values)) {
      for (const ext of children(extensions)) {
        const parts = children(ext);
        if (forge.asn1.derToOid(parts[0].value as string) !== subjectAltNameOid) continue;
        const names = forge.asn1.fromDer(parts[parts.length - 1].value as string);
        for (const n of children(names)) {
          const v = n.value as string;
          if (n.type === 2) out.dnsNames.push(v);
          else if (n.type === 1) out.emailAddresses.push(v);
          else if (n.type === 6) out.uris.push(v);
          else if (n.type === 7) out.ipAddresses.push(forgeExtras.util.bytesToIP(v));
        }
      }
    }
  }
  return out;
}

/** kube's validateCertificate: empty, or only CERTIFICATE blocks without headers that parse. Returns the error or undefined. */
export function certificateError(pemData: Buffer): string | undefined {
  if (pemData.length === 0) return undefined;
  const blocks = pemBlocks(pemData.toString('latin1'));
  if (blocks.length === 0) return 'must contain at least one CERTIFICATE PEM block';
  for (const b of blocks) {
    if (b.type !== 'CERTIFICATE') return `only CERTIFICATE PEM blocks are allowed, found "${b.type}"`;
    if (b.headers) return 'no PEM block headers are permitted';
    try {
      const bytes = forge.util.decode64(b.body.replace(/\s+/g, ''));
      if (!bytes.length) return 'found CERTIFICATE PEM block containing 0 certificates';
      forge.asn1.fromDer(bytes);
    } catch (e) {
      return `x509: malformed certificate: ${(e as Error).message}`;
    }
  }
  return undefined;
}
