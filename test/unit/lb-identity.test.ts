// identify(): the client certificate's CN and O, read from its DER as kube's Go reads them.
import type http from 'node:http';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { identify } from '../../lb/identity/front-proxy.js';

const keys = forge.pki.rsa.generateKeyPair(1024);

function der(subject: object[]): Buffer {
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date();
  cert.validity.notAfter = new Date(Date.now() + 3600_000);
  cert.setSubject(subject as forge.pki.CertificateField[]);
  cert.setIssuer([{ name: 'commonName', value: 'ca' }]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
}

/** A request on a TLS connection that presented `raw`. */
const on = (raw: Buffer, authorized = true) => ({ socket: { encrypted: true, authorized, getPeerX509Certificate: () => ({ raw }) } }) as unknown as http.IncomingMessage;

describe('lb identify', () => {
  it('reads Unicode names, every O, and no identity from an unverified certificate or one Go refuses', () => {
    const utf8 = forge.asn1.Type.UTF8;
    const dmitry = der([{ name: 'commonName', value: 'Дмитрий', valueTagClass: utf8 }, { name: 'organizationName', value: 'dev' }, { name: 'organizationName', value: 'Ops', valueTagClass: utf8 }]);
    expect(identify(on(dmitry))).toEqual({ user: 'Дмитрий', groups: ['dev', 'Ops'] });
    expect(identify(on(dmitry, false))).toBeUndefined();
    const ucs4 = (s: string) => [...s].map((c) => `\0\0\0${c}`).join('');
    expect(identify(on(der([{ name: 'commonName', value: 'mallory' }, { name: 'organizationName', value: ucs4('system:masters'), valueTagClass: 28 }])))).toBeUndefined();
    // no CN: no user, as kube's CommonNameUserConversion
    expect(identify(on(der([{ name: 'organizationName', value: 'system:masters' }])))).toBeUndefined();
  });
});
