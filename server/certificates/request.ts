// Reading what a CertificateSigningRequest carries: the PKCS#10 request in spec.request and the
// PEM certificates in status.certificate (base64 in JSON, as Go's []byte), with node-forge.
// node-forge reads RSA keys only: a request with an EC or Ed25519 key is refused as unparsable.
import forge from 'node-forge';

/** The parsed request: subject and subject alternative names, as the signer rules read them. */
export interface ParsedRequest {
  csr: forge.pki.CertificateSigningRequest;
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

interface PemBlock { type: string; headers: boolean; body: string }

/** The PEM blocks in `text`, in order (encoding/pem's Decode, loop). */
function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  const re = /-----BEGIN ([^-\r\n]+)-----\r?\n([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push({ type: m[1], headers: /^[^\s:]+:/m.test(m[2]), body: m[2] });
  }
  return out;
}

/** kube's certificates.ParseCSR and CheckSignature; throws with kube's message. */
export function parseRequest(request: Buffer): ParsedRequest {
  const block = pemBlocks(request.toString('latin1'))[0];
  if (!block || block.type !== 'CERTIFICATE REQUEST') throw new Error('PEM block type must be CERTIFICATE REQUEST');
  let csr: forge.pki.CertificateSigningRequest;
  try {
    csr = forge.pki.certificationRequestFromPem(`-----BEGIN CERTIFICATE REQUEST-----\n${block.body}-----END CERTIFICATE REQUEST-----\n`);
  } catch (e) {
    throw new Error(`x509: ${(e as Error).message}`);
  }
  let verified = false;
  try {
    verified = csr.verify();
  } catch {
    // node-forge throws on a signature that does not even decrypt
  }
  if (!verified) throw new Error('crypto/rsa: verification error');
  const attr = (short: string) => csr.subject.attributes.filter((a) => a.shortName === short).map((a) => String(a.value));
  const sans = subjectAltNames(csr);
  return { csr, commonName: attr('CN')[0] ?? '', organizations: attr('O'), ...sans };
}

/** SANs of the request's extensionRequest attribute (type 2 DNS, 1 email, 6 URI, 7 IP). */
function subjectAltNames(csr: forge.pki.CertificateSigningRequest): Pick<ParsedRequest, 'dnsNames' | 'ipAddresses' | 'emailAddresses' | 'uris'> {
  const out = { dnsNames: [] as string[], ipAddresses: [] as string[], emailAddresses: [] as string[], uris: [] as string[] };
  const ext = csr.getAttribute({ name: 'extensionRequest' }) as { extensions?: { name: string; altNames?: { type: number; value?: string; ip?: string }[] }[] } | null;
  for (const e of ext?.extensions ?? []) {
    if (e.name !== 'subjectAltName') continue;
    for (const n of e.altNames ?? []) {
      if (n.type === 2) out.dnsNames.push(n.value ?? '');
      else if (n.type === 1) out.emailAddresses.push(n.value ?? '');
      else if (n.type === 6) out.uris.push(n.value ?? '');
      else if (n.type === 7) out.ipAddresses.push(n.ip ?? n.value ?? '');
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
      const der = forge.util.decode64(b.body.replace(/\s+/g, ''));
      if (!der.length) return 'found CERTIFICATE PEM block containing 0 certificates';
      forge.asn1.fromDer(der);
    } catch (e) {
      return `x509: malformed certificate: ${(e as Error).message}`;
    }
  }
  return undefined;
}
