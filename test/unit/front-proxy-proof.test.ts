// The front proxy's proof (pki/front-proxy-proof.ts): only the holder of a front-proxy certificate's
// key, signed by the requestheader CA and with an allowed name, can make the instances believe X-Remote-User.
import { describe, expect, it } from 'vitest';
import { certificatesOf, ProofChecker, ProofMaker, proofLifetimeSeconds } from '../../pki/front-proxy-proof.js';
import { issue, newCA } from '../../pki/pki.js';

describe('front-proxy proof', () => {
  const ca = newCA('front-proxy-ca');
  const proxy = issue(ca, { commonName: 'front-proxy-client', usage: 'client' });
  const checker = new ProofChecker({ cas: certificatesOf(ca.certPem), allowedNames: ['front-proxy-client'] });

  it('holds for the proxy\'s certificate and key, and is remade every minute', () => {
    const maker = new ProofMaker(proxy.certPem, proxy.keyPem);
    const now = Math.floor(Date.now() / 1000);
    const p = maker.proof(now);
    expect(checker.check(p)).toBe(true);
    expect(checker.check(p)).toBe(true); // remembered
    expect(maker.proof(now + 30)).toBe(p);
    expect(maker.proof(now + 61)).not.toBe(p);
  });

  it('fails without one, stale, tampered, from another CA, with a name not allowed, or a server certificate', () => {
    const now = Math.floor(Date.now() / 1000);
    expect(checker.check(undefined)).toBe(false);
    expect(checker.check('v1.1.2.3')).toBe(false);
    expect(checker.check(new ProofMaker(proxy.certPem, proxy.keyPem).proof(now - proofLifetimeSeconds - 10))).toBe(false);
    const good = new ProofMaker(proxy.certPem, proxy.keyPem).proof(now).split('.');
    expect(checker.check([good[0], String(now - 1), good[2], good[3]].join('.'))).toBe(false);
    const other = issue(newCA('other'), { commonName: 'front-proxy-client', usage: 'client' });
    expect(checker.check(new ProofMaker(other.certPem, other.keyPem).proof(now))).toBe(false);
    const named = issue(ca, { commonName: 'someone', usage: 'client' });
    expect(checker.check(new ProofMaker(named.certPem, named.keyPem).proof(now))).toBe(false);
    expect(new ProofChecker({ cas: certificatesOf(ca.certPem), allowedNames: [] }).check(new ProofMaker(named.certPem, named.keyPem).proof(now))).toBe(true);
    const server = issue(ca, { commonName: 'front-proxy-client', usage: 'server' });
    expect(checker.check(new ProofMaker(server.certPem, server.keyPem).proof(now))).toBe(false);
    // Someone else's key with the proxy's certificate.
    const stolenCert = new ProofMaker(proxy.certPem, other.keyPem).proof(now);
    expect(checker.check(stolenCert)).toBe(false);
  });
});
