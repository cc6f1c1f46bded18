// How an instance knows that a request's X-Remote-* identity came from the front proxy, and for this
// very request. kube-apiserver believes those headers only on a connection whose client certificate
// the requestheader CA signed; uWebSockets.js cannot require a client certificate (a handshake that
// presents none passes) nor show one to JavaScript. So the binding is a per-request MAC instead of a
// bearer proof, which a copied header could replay:
// - a session, made by the LB for one instance: a fresh HMAC key, encrypted to the instance's serving
//   key (the LB takes it from the instance's certificate, verified by TLS), and signed with the
//   front-proxy client key, with that certificate beside it. The instance checks the certificate as kube
//   checks the proxy's (requestheader CA, validity, allowed names, client auth) and the signature, and
//   decrypts the key with its own serving key, once per session;
// - per request: a counter and an HMAC over the session, the counter, the method, the request URI and
//   every X-Remote-* header. An instance takes each counter once (a sliding window), so a copied header
//   is bound to one request that has already been served, and only the LB and that instance hold the key.
// Identity values travel percent-encoded (UTF-8): uWebSockets.js trims bytes >= 0x80 at the ends of a
// header value, and a name such as "Дмитрий" must arrive byte for byte.
import {
  constants, createHmac, createPrivateKey, type KeyObject, privateDecrypt, publicEncrypt, randomBytes, sign, timingSafeEqual, verify, X509Certificate,
} from 'node:crypto';
import { pemBlocks } from './pem.js';

/** The session (certificate, encrypted key, signature): the same on every request of a session. */
export const sessionHeader = 'x-remote-proxy-session';
/** The counter and MAC of one request. */
export const macHeader = 'x-remote-proxy-mac';
/** How long a session is accepted after it was made. */
export const sessionLifetimeSeconds = 3600;
/** How often the proxy makes a new session for an instance: well inside the lifetime. */
export const sessionRefreshSeconds = 600;
/** Counters this far below the highest one seen are refused: room for requests overtaking each other on many connections. */
export const replayWindow = 1 << 15;

const signedContext = (sid: string, expires: number, encryptedKey: string) =>
  Buffer.from(`kube-apiserver-ts front proxy session v2\n${sid}\n${expires}\n${encryptedKey}`);
const oaep = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' };

/** The headers a MAC covers: every X-Remote-* header but the session's own two, by name. */
export function identityHeaderNames(names: Iterable<string>): string[] {
  return [...names].filter((n) => n.startsWith('x-remote-') && n !== sessionHeader && n !== macHeader).sort();
}

/** What the MAC is computed over; `values(name)` gives a header's lines in order. */
function macInput(sid: string, counter: number, method: string, requestURI: string, names: string[], values: (name: string) => string[]): string {
  const q = requestURI.indexOf('?');
  // A bare trailing "?" reaches an instance as no query at all.
  const path = q < 0 ? requestURI : requestURI.slice(0, q);
  const query = q < 0 ? '' : requestURI.slice(q + 1);
  let s = `${sid}\n${counter}\n${method.toUpperCase()}\n${path}\n${query}\n`;
  for (const n of names) for (const v of values(n)) s += `${n}:${v}\n`;
  return s;
}

/** An identity value as it travels: printable ASCII but '%' as is, every other UTF-8 byte %XX. */
export function encodeIdentityValue(value: string): string {
  let out = '';
  for (const b of Buffer.from(value, 'utf8')) out += b > 0x20 && b < 0x7f && b !== 0x25 ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

/** The value an LB encoded; undefined when it is not such an encoding. */
export function decodeIdentityValue(wire: string): string | undefined {
  const bytes: number[] = [];
  for (let i = 0; i < wire.length; i++) {
    const c = wire.charCodeAt(i);
    if (c !== 0x25) {
      if (c <= 0x20 || c >= 0x7f) return undefined;
      bytes.push(c);
      continue;
    }
    const hex = wire.slice(i + 1, i + 3);
    if (!/^[0-9A-F]{2}$/.test(hex)) return undefined;
    bytes.push(parseInt(hex, 16));
    i += 2;
  }
  return Buffer.from(bytes).toString('utf8');
}

/** One session of the proxy with one instance. */
export interface ProxySession {
  sid: string;
  token: string;
  key: Buffer;
  madeAt: number;
  counter: number;
}

/** The proxy's side: sessions for instances, and the MAC of each request sent on one. */
export class ProxySigner {
  private readonly certDer: string;
  private readonly key: KeyObject;

  constructor(certPem: string, keyPem: string) {
    this.certDer = new X509Certificate(certPem).raw.toString('base64url');
    this.key = createPrivateKey(keyPem);
  }

  /** A new session for the instance whose serving key is `instanceKey`. */
  session(instanceKey: KeyObject, nowSeconds = Math.floor(Date.now() / 1000)): ProxySession {
    const key = randomBytes(32);
    const sid = randomBytes(12).toString('base64url');
    const expires = nowSeconds + sessionLifetimeSeconds;
    const encryptedKey = publicEncrypt({ key: instanceKey, ...oaep }, key).toString('base64url');
    const sig = sign('sha256', signedContext(sid, expires, encryptedKey), this.key).toString('base64url');
    return { sid, token: `v2.${sid}.${expires}.${this.certDer}.${encryptedKey}.${sig}`, key, madeAt: nowSeconds, counter: 0 };
  }

  /** Adds the session and this request's MAC to `headers` (lower-case names, as the LB builds them). */
  sign(s: ProxySession, method: string, requestURI: string, headers: Record<string, string | string[] | number | undefined>): void {
    const counter = ++s.counter;
    const names = identityHeaderNames(Object.keys(headers));
    const values = (n: string) => {
      const v = headers[n];
      return v === undefined ? [] : Array.isArray(v) ? v : [String(v)];
    };
    const mac = createHmac('sha256', s.key).update(macInput(s.sid, counter, method, requestURI, names, values)).digest('base64url');
    headers[sessionHeader] = s.token;
    headers[macHeader] = `${counter}.${mac}`;
  }
}

export interface ProofPolicy {
  /** The requestheader CA bundle. */
  cas: X509Certificate[];
  /** --requestheader-allowed-names; empty: any certificate the CA signed. */
  allowedNames: string[];
}

/** What the verifier reads of a request. */
export interface MacRequest {
  method: string;
  requestURI: string;
  headers: Record<string, string>;
  headerValues(name: string): string[];
}

interface AcceptedSession {
  token: string;
  key: Buffer;
  until: number;
  seen: ReplayWindow;
}

/** The instance's side: whether a request's X-Remote-* headers are the proxy's, for this request, for the first time. */
export class ProxyVerifier {
  private readonly sessions = new Map<string, AcceptedSession>();

  /** `servingKeyPem`: the instance's TLS private key, which the session keys are encrypted to. */
  constructor(private readonly policy: ProofPolicy, servingKeyPem: string, private readonly maxSessions = 64) {
    this.servingKey = createPrivateKey(servingKeyPem);
  }

  private readonly servingKey: KeyObject;

  verify(req: MacRequest, nowMs = Date.now()): boolean {
    const token = req.headers[sessionHeader];
    const mac = req.headers[macHeader];
    if (!token || !mac) return false;
    const dot = mac.indexOf('.');
    const counterText = mac.slice(0, dot);
    if (dot < 1 || dot > 15 || !/^[0-9]+$/.test(counterText)) return false;
    const counter = Number(counterText);
    const session = this.session(token, nowMs);
    if (!session) return false;
    const names = identityHeaderNames(Object.keys(req.headers));
    const expected = createHmac('sha256', session.key).update(macInput(token.split('.', 2)[1], counter, req.method, req.requestURI, names, (n) => req.headerValues(n))).digest();
    const given = Buffer.from(mac.slice(dot + 1), 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return false;
    return session.seen.take(counter);
  }

  private session(token: string, nowMs: number): AcceptedSession | undefined {
    const parts = token.split('.');
    if (parts.length !== 6 || parts[0] !== 'v2') return undefined;
    const known = this.sessions.get(parts[1]);
    if (known && known.token === token) {
      if (known.until > nowMs) return known;
      this.sessions.delete(parts[1]);
      return undefined;
    }
    const accepted = this.accept(parts, token, nowMs);
    if (!accepted) return undefined;
    // Sessions are few (one per LB process and rotation): past the bound, the oldest goes.
    if (this.sessions.size >= this.maxSessions) this.sessions.delete(this.sessions.keys().next().value!);
    this.sessions.set(parts[1], accepted);
    return accepted;
  }

  private accept(parts: string[], token: string, nowMs: number): AcceptedSession | undefined {
    const [, sid, expiresText, certText, encryptedKey, sig] = parts;
    if (!/^[0-9]{1,12}$/.test(expiresText)) return undefined;
    const expires = Number(expiresText) * 1000;
    if (expires <= nowMs || expires - nowMs > sessionLifetimeSeconds * 1000 + 300_000) return undefined;
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(Buffer.from(certText, 'base64url'));
    } catch {
      return undefined;
    }
    const validTo = Date.parse(cert.validTo);
    if (Date.parse(cert.validFrom) > nowMs || validTo < nowMs) return undefined;
    if (!this.policy.cas.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey))) return undefined;
    if (this.policy.allowedNames.length && !this.policy.allowedNames.includes(commonName(cert))) return undefined;
    // A client certificate: kube's requestheader verifier asks for ExtKeyUsageClientAuth.
    if (cert.keyUsage && !cert.keyUsage.includes('1.3.6.1.5.5.7.3.2')) return undefined;
    if (!verify('sha256', signedContext(sid, expires / 1000, encryptedKey), cert.publicKey, Buffer.from(sig, 'base64url'))) return undefined;
    let key: Buffer;
    try {
      key = privateDecrypt({ key: this.servingKey, ...oaep }, Buffer.from(encryptedKey, 'base64url'));
    } catch {
      return undefined; // encrypted to another instance's key
    }
    return { token, key, until: Math.min(expires, validTo), seen: new ReplayWindow(replayWindow) };
  }
}

/** Which counters have been taken: the highest, and a ring of the `size` below it (IPsec's anti-replay window). */
export class ReplayWindow {
  private highest = 0;
  private readonly bits: Uint8Array;

  constructor(private readonly size: number) {
    this.bits = new Uint8Array(size);
  }

  /** True the first time a counter is offered while it is inside the window. */
  take(counter: number): boolean {
    if (counter < 1 || !Number.isSafeInteger(counter)) return false;
    if (counter > this.highest) {
      // Slots between the old highest and this one are counters not seen yet.
      const gap = Math.min(counter - this.highest, this.size);
      for (let i = 1; i <= gap; i++) this.bits[(this.highest + i) % this.size] = 0;
      this.highest = counter;
      this.bits[counter % this.size] = 1;
      return true;
    }
    if (this.highest - counter >= this.size) return false;
    const slot = counter % this.size;
    if (this.bits[slot]) return false;
    this.bits[slot] = 1;
    return true;
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
