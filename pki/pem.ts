// The PEM blocks of a text, in order (Go's encoding/pem Decode, in a loop): what CSRs, certificate
// bundles and key files are read with.

export interface PemBlock {
  /** The word(s) after BEGIN: CERTIFICATE, CERTIFICATE REQUEST, RSA PRIVATE KEY, PUBLIC KEY... */
  type: string;
  /** Whether the block carries "Key: value" headers before its base64. */
  headers: boolean;
  /** The base64 (with its line breaks). */
  body: string;
  /** The whole block, BEGIN to END, as node:crypto reads one. */
  text: string;
}

export function pemBlocks(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  const re = /-----BEGIN ([^-\r\n]+)-----\r?\n([\s\S]*?)-----END \1-----/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push({ type: m[1], headers: /^[^\s:]+:/m.test(m[2]), body: m[2], text: m[0] });
  }
  return out;
}
