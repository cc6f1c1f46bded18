// Who the downstream client is, and the front-proxy headers that carry it to the instances
// (kube's requestheader authentication: X-Remote-User, X-Remote-Group). The client certificate is
// verified here, where TLS ends (against --client-ca-file and its CRL); the instances believe the
// headers only with the per-request MAC beside them (pki/front-proxy-proof.ts), which the LB adds on a
// session made with its front-proxy client key.
import type http from 'node:http';
import type tls from 'node:tls';
import { encodeIdentityValue } from '../../pki/front-proxy-proof.js';

export interface DownstreamIdentity {
  user: string;
  groups: string[];
}

/** The identity proven by the downstream connection itself (a verified client certificate), if any. */
export function identify(req: http.IncomingMessage): DownstreamIdentity | undefined {
  const socket = req.socket as Partial<tls.TLSSocket>;
  if (!socket.encrypted || !socket.authorized || typeof socket.getPeerCertificate !== 'function') return undefined;
  const cert = socket.getPeerCertificate();
  const cn = cert?.subject?.CN;
  if (!cn) return undefined;
  const o = cert.subject.O;
  return { user: Array.isArray(cn) ? cn[0] : cn, groups: o === undefined ? [] : Array.isArray(o) ? o : [o] };
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
