// kube-apiserver's TLS handshake parses the client's certificate with crypto/x509 and fails on one it
// cannot read (a subject with a UniversalString, say); OpenSSL reads more. So the LB closes such a
// connection before it reads a request: the client meets what kube would do, a refused handshake.
import type tls from 'node:tls';
import { certificateNames } from '../../pki/x509-name.js';
import { logger } from '../../server/logging/logger.js';

/** The tls server's 'secureConnection' listener. */
export function refuseUnreadableCertificate(socket: tls.TLSSocket): void {
  const raw = socket.getPeerX509Certificate()?.raw;
  if (!raw) return;
  try {
    certificateNames(raw);
  } catch (e) {
    logger.error(`lb: closed a connection from ${socket.remoteAddress}: its client certificate does not parse (${(e as Error).message})`);
    socket.destroy();
  }
}
