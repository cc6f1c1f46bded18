// The front proxy's per-request MAC (pki/front-proxy-proof.ts): only the holder of a front-proxy
// certificate's key, signed by the requestheader CA and with an allowed name, can make an instance
// believe X-Remote-User, and only for the one request it signed: a copied header is worth nothing.
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  certificatesOf, decodeIdentityValue, encodeIdentityValue, macHeader, ProxySigner, ProxyVerifier, ReplayWindow, sessionHeader, sessionLifetimeSeconds,
} from '../../pki/front-proxy-proof.js';
import { issue, newCA } from '../../pki/pki.js';

/** A request as an instance sees it: headers by lower-case name, repeated ones as several values. */
function request(method: string, requestURI: string, lines: Array<[string, string]>) {
  const repeated = new Map<string, string[]>();
  const headers: Record<string, string> = {};
  for (const [k, v] of lines) {
    repeated.set(k, [...repeated.get(k) ?? [], v]);
    headers[k] = headers[k] !== undefined ? `${headers[k]}, ${v}` : v;
  }
  return { method, requestURI, headers, headerValues: (n: string) => repeated.get(n) ?? [] };
}

/** What the LB sends: its headers with the session and MAC added, as lines. */
function signed(signer: ProxySigner, session: ReturnType<ProxySigner['session']>, method: string, uri: string, headers: Record<string, string | string[]>) {
  const out: Record<string, string | string[] | number | undefined> = { ...headers };
  signer.sign(session, method, uri, out);
  const lines: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(out)) for (const one of Array.isArray(v) ? v : [String(v)]) lines.push([k, one]);
  return lines;
}

describe('front-proxy MAC', () => {
  const ca = newCA('front-proxy-ca');
  const proxy = issue(ca, { commonName: 'front-proxy-client', usage: 'client' });
  const serverCA = newCA('kubernetes');
  const instance = issue(serverCA, { commonName: 'kube-apiserver', usage: 'server', dnsNames: ['localhost'] });
  const instanceKey = new X509Certificate(instance.certPem).publicKey;
  const policy = { cas: certificatesOf(ca.certPem), allowedNames: ['front-proxy-client'] };
  const identity = { 'x-remote-user': 'jane', 'x-remote-group': ['dev', 'system:authenticated'] };

  it('holds for the signed request once, and for nothing else', () => {
    const verifier = new ProxyVerifier(policy, instance.keyPem);
    const signer = new ProxySigner(proxy.certPem, proxy.keyPem);
    const s = signer.session(instanceKey);
    const lines = signed(signer, s, 'GET', '/api/v1/pods?limit=5', identity);
    expect(verifier.verify(request('GET', '/api/v1/pods?limit=5', lines))).toBe(true);
    // The same request again (a copied header): refused.
    expect(verifier.verify(request('GET', '/api/v1/pods?limit=5', lines))).toBe(false);
    // Moved to another path, query, method, or with another identity: refused.
    const next = signed(signer, s, 'GET', '/api/v1/pods', identity);
    expect(verifier.verify(request('GET', '/api/v1/secrets', next))).toBe(false);
    expect(verifier.verify(request('GET', '/api/v1/pods?watch=1', next))).toBe(false);
    expect(verifier.verify(request('DELETE', '/api/v1/pods', next))).toBe(false);
    const swapped = next.map(([k, v]): [string, string] => [k, k === 'x-remote-user' ? 'admin' : v]);
    expect(verifier.verify(request('GET', '/api/v1/pods', swapped))).toBe(false);
    expect(verifier.verify(request('GET', '/api/v1/pods', [...next, ['x-remote-group', 'system:masters']]))).toBe(false);
    expect(verifier.verify(request('GET', '/api/v1/pods', next))).toBe(true);
    // Requests that overtake each other on different connections are all taken, each once.
    const a = signed(signer, s, 'GET', '/a', identity);
    const b = signed(signer, s, 'GET', '/b', identity);
    expect(verifier.verify(request('GET', '/b', b))).toBe(true);
    expect(verifier.verify(request('GET', '/a', a))).toBe(true);
    expect(verifier.verify(request('GET', '/a', a))).toBe(false);
  });

  it('refuses sessions without the proxy\'s key, from another CA, with a name not allowed, a server certificate, stale, or for another instance', () => {
    const verifier = new ProxyVerifier(policy, instance.keyPem);
    const attempt = (signer: ProxySigner, key = instanceKey, now?: number) => {
      const s = signer.session(key, now);
      return verifier.verify(request('GET', '/api', signed(signer, s, 'GET', '/api', identity)));
    };
    expect(verifier.verify(request('GET', '/api', [['x-remote-user', 'jane']]))).toBe(false);
    expect(verifier.verify(request('GET', '/api', [['x-remote-user', 'jane'], [sessionHeader, 'v2.a.b.c.d.e'], [macHeader, '1.x']]))).toBe(false);
    const other = issue(newCA('other'), { commonName: 'front-proxy-client', usage: 'client' });
    expect(attempt(new ProxySigner(other.certPem, other.keyPem))).toBe(false);
    const named = issue(ca, { commonName: 'someone', usage: 'client' });
    expect(attempt(new ProxySigner(named.certPem, named.keyPem))).toBe(false);
    const server = issue(ca, { commonName: 'front-proxy-client', usage: 'server' });
    expect(attempt(new ProxySigner(server.certPem, server.keyPem))).toBe(false);
    // The proxy's certificate with someone else's key.
    expect(attempt(new ProxySigner(proxy.certPem, other.keyPem))).toBe(false);
    expect(attempt(new ProxySigner(proxy.certPem, proxy.keyPem), instanceKey, Math.floor(Date.now() / 1000) - sessionLifetimeSeconds - 5)).toBe(false);
    // A session encrypted to another instance's key is no use here.
    const elsewhere = issue(serverCA, { commonName: 'kube-apiserver', usage: 'server', dnsNames: ['localhost'] });
    expect(attempt(new ProxySigner(proxy.certPem, proxy.keyPem), new X509Certificate(elsewhere.certPem).publicKey)).toBe(false);
    expect(new ProxyVerifier({ ...policy, allowedNames: [] }, instance.keyPem).verify(
      (() => { const sg = new ProxySigner(named.certPem, named.keyPem); return request('GET', '/api', signed(sg, sg.session(instanceKey), 'GET', '/api', identity)); })(),
    )).toBe(true);
    expect(attempt(new ProxySigner(proxy.certPem, proxy.keyPem))).toBe(true);
  });

  it('carries any UTF-8 name byte for byte in printable ASCII', () => {
    for (const name of ['Дмитрий', 'jane doe', '100%', 'a,b', ' lead', 'tab\there', 'émile ']) {
      const wire = encodeIdentityValue(name);
      expect(wire).toMatch(/^[\x21-\x7e]+$/);
      expect(decodeIdentityValue(wire)).toBe(name);
    }
    expect(decodeIdentityValue('a b')).toBeUndefined();
    expect(decodeIdentityValue('%zz')).toBeUndefined();
  });

  it('keeps a sliding window of counters', () => {
    const w = new ReplayWindow(8);
    expect(w.take(0)).toBe(false);
    expect([3, 1, 2, 3, 10].map((c) => w.take(c))).toEqual([true, true, true, false, true]);
    expect(w.take(2)).toBe(false); // below the window
    expect(w.take(5)).toBe(true);
    expect(w.take(5)).toBe(false);
    expect(w.take(30)).toBe(true);
    expect(w.take(23)).toBe(true);
    expect(w.take(22)).toBe(false);
  });
});
