// How the load balancer proves to an instance that it is the front proxy. kube-apiserver trusts
// X-Remote-User only on a connection whose client certificate the requestheader CA signed; the
// instances' uWebSockets.js verifies a presented certificate but cannot tell JavaScript whether one
// was presented, nor whose it is. So the proof travels in the request: the proxy's certificate and
// its signature, with that certificate's private key, over a timestamp. An instance checks it as
// kube checks the connection (CA, validity, --requestheader-allowed-names) plus the signature, then
// remembers the proof until it is stale, so a request pays one map lookup. The header reaches an
// instance only over TLS from the proxy (the LB strips every X-Remote-* header clients send).
import { sign, verify, X509Certificate, type KeyObject, createPrivateKey } from 'node:crypto';
import { pemBlocks } from './pem.js';

export const proofHeader = 'x-remote-proxy-proof';
/** How long a proof is accepted after (and before, for clock skew) its timestamp. */
export const proofLifetimeSeconds = 300;
/** How often the proxy makes a new one: well inside the lifetime. */
export const proofRefreshSeconds = 60;

const context = (t: number) => Buffer.from(`kube-apiserver-ts front proxy proof v1 ${t}`);

/** The proxy's side: a proof for now, remade every proofRefreshSeconds. */
export class ProofMaker {
  private readonly certDer: Buffer;
  private readonly key: KeyObject;
  private current = '';
  private madeAt = 0;

  constructor(certPem: string, keyPem: string) {
    this.certDer = new X509Certificate(certPem).raw;
    this.key = createPrivateKey(keyPem);
  }

  proof(nowSeconds = Math.floor(Date.now() / 1000)): string {
    if (!this.current || nowSeconds - this.madeAt >= proofRefreshSeconds) {
      const sig = sign('sha256', context(nowSeconds), this.key);
      this.current = `v1.${nowSeconds}.${this.certDer.toString('base64url')}.${sig.toString('base64url')}`;
      this.madeAt = nowSeconds;
    }
    return this.current;
  }
}

export interface ProofPolicy {
  /** The requestheader CA bundle. */
  cas: X509Certificate[];
  /** --requestheader-allowed-names; empty: any certificate the CA signed. */
  allowedNames: string[];
}

/** The instance's side: whether a proof shows the request came from the front proxy. */
export class ProofChecker {
  private readonly accepted = new Map<string, number>();

  constructor(private readonly policy: ProofPolicy) {}

  /** The proxy certificate's common name when the proof holds, else undefined. */
  check(proof: string | undefined, nowMs = Date.now()): boolean {
    if (!proof) return false;
    const until = this.accepted.get(proof);
    if (until !== undefined) {
      if (until > nowMs) return true;
      this.accepted.delete(proof);
      return false;
    }
    const until2 = this.verify(proof, nowMs);
    if (until2 === undefined) return false;
    if (this.accepted.size > 1000) this.accepted.clear();
    this.accepted.set(proof, until2);
    return true;
  }

  private verify(proof: string, nowMs: number): number | undefined {
    const parts = proof.split('.');
    if (parts.length !== 4 || parts[0] !== 'v1' || !/^\d+$/.test(parts[1])) return undefined;
    const t = Number(parts[1]);
    if (Math.abs(nowMs / 1000 - t) > proofLifetimeSeconds) return undefined;
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(Buffer.from(parts[2], 'base64url'));
    } catch {
      return undefined;
    }
    const validTo = Date.parse(cert.validTo);
    if (Date.parse(cert.validFrom) > nowMs || validTo < nowMs) return undefined;
    if (!this.policy.cas.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey))) return undefined;
    if (this.policy.allowedNames.length && !this.policy.allowedNames.includes(commonName(cert))) return undefined;
    // A client certificate: kube's requestheader verifier asks for ExtKeyUsageClientAuth.
    if (cert.keyUsage && !cert.keyUsage.includes('1.3.6.1.5.5.7.3.2')) return undefined;
    if (!verify('sha256', context(t), cert.publicKey, Buffer.from(parts[3], 'base64url'))) return undefined;
    return Math.min((t + proofLifetimeSeconds) * 1000, validTo);
  }
}

export function commonName(cert: X509Certificate): string {
  const m = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject);
  return m ? m[1] : '';
}

/** Every certificate of a PEM bundle. */
export function certificatesOf(pem: string): X509Certificate[] {
  return pemBlocks(pem).filter((b) => b.type === 'CERTIFICATE').map((b) => new X509Certificate(b.text));
}
