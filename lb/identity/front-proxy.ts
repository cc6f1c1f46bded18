// Who the downstream client is, and the front-proxy headers that carry it to the instances
// (kube's requestheader authentication: X-Remote-User, X-Remote-Group). The client certificate is
// verified here, where TLS ends (against --client-ca-file and its CRL); the instances believe the
// headers only with the per-request MAC beside them (pki/front-proxy-proof.ts), which the LB adds on a
// session made with its front-proxy client key.
import type http from 'node:http';
import type tls from 'node:tls';
import { encodeIdentityValue } from '../../pki/front-proxy-proof.js';
import { certificateNames } from '../../pki/x509-name.js';

export interface DownstreamIdentity {
  user: string;
  groups: string[];
}

/** A connection's certificate identity, read once: the peer certificate cannot change within a TLS connection. */
const identities = new WeakMap<object, DownstreamIdentity | null>();

/**
 * The identity proven by the downstream connection itself (a verified client certificate), if any:
 * user from the subject's CN and groups from its O, read from the certificate's DER as kube's Go
 * reads them (pki/x509-name.ts). A subject Go refuses is no identity (lb.ts closes such connections).
 */
export function identify(req: http.IncomingMessage): DownstreamIdentity | undefined {
  const socket = req.socket as Partial<tls.TLSSocket>;
  if (!socket.encrypted || !socket.authorized || typeof socket.getPeerX509Certificate !== 'function') return undefined;
  let who = identities.get(socket);
  if (who === undefined) {
    who = null;
    try {
      const raw = socket.getPeerX509Certificate()?.raw;
      const subject = raw && certificateNames(raw).subject;
      if (subject && subject.commonName) who = { user: subject.commonName, groups: subject.organization };
    } catch {
      // not a certificate kube could parse: nobody
    }
    identities.set(socket, who);
  }
  return who ?? undefined;
}

const identityHeader = /^x-remote-/;

/**
 * Sets the identity headers on the upstream request: any the client sent are removed first, so a
 * client can never claim an identity through the LB. Values are encoded for the trip (UTF-8 names
 * byte for byte); each backend request adds its MAC (Backend.request).
 */
export function applyIdentity(headers: http.OutgoingHttpHeaders, who: DownstreamIdentity | undefined): void {
  for (const name of Object.keys(headers)) if (identityHeader.test(name)) delete headers[name];
  if (!who) return;
  headers['x-remote-user'] = encodeIdentityValue(who.user);
  if (who.groups.length) headers['x-remote-group'] = who.groups.map(encodeIdentityValue);
}
