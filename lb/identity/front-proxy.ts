// Who the downstream client is, and the front-proxy headers that carry it to the instances
// (kube's requestheader authentication: X-Remote-User, X-Remote-Group). The client certificate is
// verified here, where TLS ends (against --client-ca-file and its CRL); the instances believe the
// headers only with the proxy's proof beside them (pki/front-proxy-proof.ts), which the LB makes
// with its front-proxy client key.
import type http from 'node:http';
import type tls from 'node:tls';
import { type ProofMaker, proofHeader } from '../../pki/front-proxy-proof.js';
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

/** Set once at start when the LB has a front-proxy client certificate. */
let proofMaker: ProofMaker | undefined;

export function useProofMaker(maker: ProofMaker | undefined): void {
  proofMaker = maker;
}

/**
 * Sets the identity headers on the upstream request: any the client sent are removed first, so a
 * client can never claim an identity through the LB.
 */
export function applyIdentity(headers: http.OutgoingHttpHeaders, who: DownstreamIdentity | undefined): void {
  for (const name of Object.keys(headers)) if (identityHeader.test(name)) delete headers[name];
  if (!who || !proofMaker) return;
  headers['x-remote-user'] = who.user;
  if (who.groups.length) headers['x-remote-group'] = who.groups;
  headers[proofHeader] = proofMaker.proof();
}
