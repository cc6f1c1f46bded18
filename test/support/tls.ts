// A serving certificate for 127.0.0.1 (also its own CA), for servers a test starts with TLS:
// kubectl sends bearer tokens over https only, and an OIDC issuer must be https. Made by the
// cluster PKI's own code (pki/pki.ts).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { newCA } from '../../pki/pki.js';

export interface TestCertificate {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

export function selfSignedCertificate(dir: string, name = 'tls'): TestCertificate {
  const c = newCA('127.0.0.1', 1, { serverAuth: true, dnsNames: ['localhost'], ips: ['127.0.0.1'] });
  const certFile = path.join(dir, `${name}.crt`);
  const keyFile = path.join(dir, `${name}.key`);
  writeFileSync(certFile, c.certPem);
  writeFileSync(keyFile, c.keyPem);
  return { certFile, keyFile, cert: c.certPem, key: c.keyPem };
}
