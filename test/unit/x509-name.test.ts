// pki/x509-name.ts against what Go does (the hex below was printed by Go 1.26's crypto/x509 and
// encoding/asn1): the two readers' rules, the string types, DER's length rules, Go's writing order,
// and a certificate's names.
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { certificateNames, marshalName, maxNameBytes, NameError, parseName, toPkixName } from '../../pki/x509-name.js';

const hex = (s: string) => Buffer.from(s, 'hex');
const tlv = (tag: number, content: Buffer): Buffer => {
  const n = content.length;
  const len = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...len]), content]);
};
const oidCN = hex('0603550403');
const oidO = hex('060355040a');
/** A Name of one-attribute RDNs: [oid, value tag, value bytes]. */
const name = (...atvs: [Buffer, number, Buffer][]) => tlv(0x30, Buffer.concat(atvs.map(([oid, tag, v]) => tlv(0x31, tlv(0x30, Buffer.concat([oid, tlv(tag, v)]))))));
const ucs4 = (s: string) => Buffer.concat([...s].map((c) => Buffer.from([0, 0, 0, c.charCodeAt(0)])));
const utf16be = (s: string) => Buffer.from(s, 'utf16le').swap16();

// CN=mallory (UTF8String), O=system:masters (UniversalString), O=dev (PrintableString)
const universalMasters = hex('30633110300e060355040313076d616c6c6f72793141303f060355040a1c3800000073000000790000007300000074000000650000006d0000003a0000006d000000610000007300000074000000650000007200000073310c300a060355040a1303646576');

describe('x509 Name', () => {
  it('a UniversalString is no string to a CSR (Go ignores it) and refuses a certificate (Go fails the handshake)', () => {
    const request = toPkixName(parseName(universalMasters, 'request'));
    expect(request.commonName).toBe('mallory');
    expect(request.organization).toEqual(['dev']);
    expect(parseName(universalMasters, 'request')[1]).toEqual([{ oid: '2.5.4.10', value: undefined }]);
    expect(() => parseName(universalMasters, 'certificate')).toThrow(new NameError('x509: invalid RDNSequence: invalid attribute value: unsupported string type: 28'));
    // what kube's signer writes for that request (Go: asn1.Marshal(csr.Subject.ToRDNSequence()))
    expect(marshalName(request).toString('hex')).toBe('3020310c300a060355040a13036465763110300e060355040313076d616c6c6f7279');
  });

  it('decodes the string types Go reads, as Go decodes them', () => {
    const read = (tag: number, v: Buffer) => toPkixName(parseName(name([oidCN, tag, v]), 'certificate')).commonName;
    expect(read(0x0c, Buffer.from('Дмитрий'))).toBe('Дмитрий');
    expect(read(0x1e, utf16be('Дмитрий'))).toBe('Дмитрий');
    expect(read(0x1e, Buffer.concat([utf16be('ab'), Buffer.from([0, 0])]))).toBe('ab');
    expect(read(0x14, Buffer.from([0x4a, 0xfc, 0x72, 0x67]))).toBe('Jürg');
    expect(read(0x13, Buffer.from("Ab0 '()+,-./:=?*&"))).toBe("Ab0 '()+,-./:=?*&");
    expect(read(0x16, Buffer.from('a@b.c'))).toBe('a@b.c');
    expect(read(0x12, Buffer.from('12 34'))).toBe('12 34');
    const refused = (tag: number, v: Buffer, rules: 'certificate' | 'request' = 'certificate') => {
      try {
        parseName(name([oidCN, tag, v]), rules);
        return '';
      } catch (e) {
        expect(e).toBeInstanceOf(NameError);
        return (e as Error).message;
      }
    };
    expect(refused(0x13, Buffer.from('a_b'))).toBe('x509: invalid RDNSequence: invalid attribute value: invalid PrintableString');
    expect(refused(0x13, Buffer.from('a_b'), 'request')).toBe('asn1: syntax error: PrintableString contains invalid character');
    expect(refused(0x0c, Buffer.from([0xc3, 0x28]))).toBe('x509: invalid RDNSequence: invalid attribute value: invalid UTF-8 string');
    expect(refused(0x0c, Buffer.from([0xc3, 0x28]), 'request')).toBe('asn1: invalid UTF-8 string');
    expect(refused(0x1e, Buffer.from([0, 0x61, 0]))).toMatch(/invalid BMPString$/);
    expect(refused(0x1e, Buffer.from([0xd8, 0x00]))).toMatch(/invalid BMPString$/);
    expect(refused(0x16, Buffer.from([0x80]))).toMatch(/invalid IA5String$/);
    expect(refused(0x12, Buffer.from('12a'))).toMatch(/invalid NumericString$/);
    // a constructed UTF8String, a context-specific value, a SEQUENCE: not strings
    expect(refused(0x2c, Buffer.from('x'))).toMatch(/unsupported string type: 44$/);
    expect(refused(0x80, Buffer.from('x'))).toMatch(/unsupported string type: 128$/);
    expect(refused(0x80, Buffer.from('x'), 'request')).toBe('');
  });

  it('keeps the last CN and every O in order, and reads multi-valued RDNs', () => {
    const der = name([oidCN, 0x0c, Buffer.from('first')], [oidO, 0x13, Buffer.from('b')], [oidCN, 0x13, Buffer.from('last')], [oidO, 0x0c, Buffer.from('a')]);
    expect(toPkixName(parseName(der, 'certificate'))).toMatchObject({ commonName: 'last', organization: ['b', 'a'] });
    const multi = tlv(0x30, tlv(0x31, Buffer.concat([tlv(0x30, Buffer.concat([oidO, tlv(0x13, Buffer.from('x'))])), tlv(0x30, Buffer.concat([oidO, tlv(0x13, Buffer.from('y'))]))])));
    expect(parseName(multi, 'certificate')).toEqual([[{ oid: '2.5.4.10', value: 'x' }, { oid: '2.5.4.10', value: 'y' }]]);
  });

  it('refuses what DER does not allow: indefinite, non-minimal and overlong lengths, truncation, other outer types', () => {
    const cn = Buffer.concat([oidCN, tlv(0x13, Buffer.from('a'))]);
    const bad = [
      Buffer.concat([hex('3080'), tlv(0x31, tlv(0x30, cn)), hex('0000')]),
      Buffer.concat([hex('308109'), tlv(0x31, tlv(0x30, cn))]),
      Buffer.concat([hex('3082000b'), tlv(0x31, tlv(0x30, cn))]),
      name([oidCN, 0x13, Buffer.from('abc')]).subarray(0, 10),
      tlv(0x31, tlv(0x30, cn)),
      tlv(0x30, tlv(0x30, tlv(0x30, cn))),
      tlv(0x30, tlv(0x31, tlv(0x30, Buffer.concat([hex('0600'), tlv(0x13, Buffer.from('a'))])))),
      tlv(0x30, tlv(0x31, tlv(0x30, oidCN))),
    ];
    for (const der of bad) {
      expect(() => parseName(der, 'certificate'), der.toString('hex')).toThrow(/^x509: invalid RDNSequence/);
      expect(() => parseName(der, 'request'), der.toString('hex')).toThrow(/^asn1: structure error/);
    }
    expect(parseName(tlv(0x30, Buffer.alloc(0)), 'certificate')).toEqual([]);
  });

  it('is bounded and linear: a 64 KiB Name of 4000 attributes reads quickly, a larger one is refused unread', () => {
    const atv = tlv(0x31, tlv(0x30, Buffer.concat([oidO, tlv(0x13, Buffer.from('group'))])));
    const big = tlv(0x30, Buffer.concat(Array.from({ length: 4000 }, () => atv)));
    expect(big.length).toBeLessThan(maxNameBytes);
    const started = performance.now();
    expect(toPkixName(parseName(big, 'certificate')).organization).toHaveLength(4000);
    expect(performance.now() - started).toBeLessThan(500);
    const tooBig = tlv(0x30, Buffer.concat(Array.from({ length: 4200 }, () => atv)));
    expect(() => parseName(tooBig, 'certificate')).toThrow(/over 65536 bytes/);
  });

  it('writes a Name as Go does: field order, one sorted RDN per field, PrintableString unless * & or non-ASCII', () => {
    const n = toPkixName([]);
    n.commonName = 'a&b';
    n.organization = ['zeta', 'alpha', 'Дмитрий'];
    n.country = ['DE'];
    expect(marshalName(n).toString('hex')).toBe('304f310b30090603550406130244453132300b060355040a13047a657461300c060355040a1305616c7068613015060355040a0c0ed094d0bcd0b8d182d180d0b8d0b9310c300a06035504030c03612662');
    const sorted = toPkixName([]);
    sorted.organization = ['beta', 'alfa'];
    expect(marshalName(sorted).toString('hex')).toBe('301c311a300b060355040a1304616c6661300b060355040a130462657461');
    expect(toPkixName(parseName(marshalName(n), 'certificate'))).toEqual(n);
  });

  it("reads a certificate's issuer and subject", () => {
    const keys = forge.pki.rsa.generateKeyPair(1024);
    const cert = forge.pki.createCertificate();
    cert.publicKey = keys.publicKey;
    cert.serialNumber = '01';
    cert.validity.notBefore = new Date();
    cert.validity.notAfter = new Date(Date.now() + 3600_000);
    cert.setSubject([{ name: 'commonName', value: 'Дмитрий', valueTagClass: forge.asn1.Type.UTF8 } as never, { name: 'organizationName', value: 'system:nodes' }]);
    cert.setIssuer([{ name: 'commonName', value: 'the-ca' }]);
    cert.sign(keys.privateKey, forge.md.sha256.create());
    const der = Buffer.from(forge.asn1.toDer(forge.pki.certificateToAsn1(cert)).getBytes(), 'binary');
    const names = certificateNames(der);
    expect([names.subject.commonName, names.subject.organization, names.issuer.commonName]).toEqual(['Дмитрий', ['system:nodes'], 'the-ca']);
    expect(() => certificateNames(der.subarray(0, 40))).toThrow(NameError);
  });
});
