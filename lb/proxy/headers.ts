// The request head sent upstream: the client's headers minus hop-by-hop ones, plus X-Forwarded-*
// and the front-proxy identity.
import type http from 'node:http';
import { applyIdentity, identify } from '../identity/front-proxy.js';

// RFC 9110 7.6.1 hop-by-hop headers; they describe the client's connection, not the request.
const hopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
// Node's server has already answered 100 Continue to the client; the instance must not be asked again.
const answeredHere = new Set(['expect']);

export function upstreamHeaders(req: http.IncomingMessage, upgrade = false): http.OutgoingHttpHeaders {
  const headers: http.OutgoingHttpHeaders = {};
  const connectionTokens = new Set(String(req.headers.connection ?? '').toLowerCase().split(',').map((t) => t.trim()).filter(Boolean));
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || hopByHop.has(name) || answeredHere.has(name) || connectionTokens.has(name)) continue;
    headers[name] = value;
  }
  if (upgrade) {
    headers.connection = 'Upgrade';
    headers.upgrade = req.headers.upgrade;
  }
  const client = req.socket.remoteAddress ?? '';
  const prior = req.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = prior ? `${Array.isArray(prior) ? prior.join(', ') : prior}, ${client}` : client;
  headers['x-forwarded-proto'] = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  if (req.headers.host) headers['x-forwarded-host'] = req.headers.host;
  applyIdentity(headers, identify(req));
  // Each backend request adds the front proxy's session and MAC to an identity (two lines, up to proxyHeadersBytes).
  const reserved = headers['x-remote-user'] !== undefined ? proxyHeadersBytes : 0;
  return fitHeaderLines(headers, `${req.method} ${req.url} HTTP/1.1\r\n`.length + reserved);
}

/**
 * uWebSockets.js takes at most 50 header lines per request and resets the connection past that
 * (a compile-time limit), where kube-apiserver takes any number. Past the budget the LB sends
 * repeated headers as one line each, then only the headers kube-apiserver reads.
 */
export const upstreamHeaderBudget = 44;

// Request headers kube-apiserver (and its filters, present and coming) reads.
const readByKube = /^(accept|accept-encoding|authorization|content-type|content-length|content-encoding|host|user-agent|audit-id|origin|access-control-request-.*|impersonate-.*|x-remote-.*|x-forwarded-.*|x-real-ip|if-none-match|if-modified-since|upgrade|connection|sec-websocket-.*|x-stream-protocol-version|traceparent|tracestate|kubectl-command|kubectl-session)$/;

/** Room for the session and MAC headers Backend.request adds (a front-proxy certificate of about 1 KiB, base64). */
export const proxyHeadersBytes = 2560;

/**
 * uWebSockets.js takes a head over 4 KiB only when it arrives in one TCP read (another compile-time
 * limit); kube takes 1 MiB. Past it the LB drops the headers kube-apiserver does not read.
 */
export const upstreamHeadBytes = 4096;

/** Headers that fit the instance's limits when they can (tooManyHeaderLines says when they cannot). */
export function fitHeaderLines(headers: http.OutgoingHttpHeaders, requestLineBytes = 0): http.OutgoingHttpHeaders {
  const lines = (h: http.OutgoingHttpHeaders) => Object.values(h).reduce<number>((n, v) => n + (Array.isArray(v) ? v.length : 1), 0);
  const fits = (h: http.OutgoingHttpHeaders) => lines(h) <= upstreamHeaderBudget && requestLineBytes + headBytes(h) <= upstreamHeadBytes;
  if (fits(headers)) return headers;
  const joined: http.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(headers)) joined[k] = Array.isArray(v) ? v.join(', ') : v;
  if (fits(joined)) return joined;
  const kept: http.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(joined)) if (readByKube.test(k)) kept[k] = v;
  return kept;
}

/** The bytes of the header lines and the blank line that ends the head. */
function headBytes(headers: http.OutgoingHttpHeaders): number {
  let n = 2;
  for (const [k, v] of Object.entries(headers)) for (const one of Array.isArray(v) ? v : [v]) n += k.length + String(one).length + 4;
  return n;
}

export function tooManyHeaderLines(headers: http.OutgoingHttpHeaders): boolean {
  return Object.keys(headers).length > upstreamHeaderBudget;
}

/** Response headers passed back as the instance sent them (repeated Warning headers stay repeated), minus hop-by-hop ones. */
export function downstreamHeaders(res: http.IncomingMessage): string[] {
  const connectionTokens = new Set(String(res.headers.connection ?? '').toLowerCase().split(',').map((t) => t.trim()).filter(Boolean));
  const raw = res.rawHeaders;
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (hopByHop.has(name) || connectionTokens.has(name)) continue;
    out.push(raw[i], raw[i + 1]);
  }
  return out;
}
