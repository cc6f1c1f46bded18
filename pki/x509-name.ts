// An X.509 Name (RFC 5280 4.1.2.4) read from DER and written back, as Go reads and writes it, so a
// subject means here what it means to kube-apiserver: one linear pass, bounded input, and only the
// string types Go decodes. Go has two readers, and kube uses both:
// - 'certificate' (crypto/x509 parseName, used on every certificate, so in kube's TLS handshake):
//   any attribute value that is not T61, Printable, UTF8, BMP, IA5 or Numeric string refuses the Name.
// - 'request' (encoding/asn1, which x509.ParseCertificateRequest uses for the CSR's subject): a value
//   of another type is kept without a string (undefined), and pkix.Name ignores it.
// So an O=system:masters spelled as a UniversalString is no organization in a CSR (kube's signer then
// leaves it out of the certificate) and no certificate at all in a TLS handshake.

/** One attribute: its type (dotted OID) and its string, undefined when Go reads no string from it. */
export interface NameAttribute {
  oid: string;
  value: string | undefined;
}

/** The Name as DER lays it out: relative distinguished names, each a set of attributes. */
export type RDNSequence = NameAttribute[][];

/** Go's pkix.Name: the attributes it has fields for. */
export interface PkixName {
  country: string[];
  organization: string[];
  organizationalUnit: string[];
  locality: string[];
  province: string[];
  streetAddress: string[];
  postalCode: string[];
  serialNumber: string;
  commonName: string;
}

export type NameRules = 'certificate' | 'request';

export class NameError extends Error {}

/** A Name larger than this is refused before it is read: certificate subjects are a few hundred bytes. */
export const maxNameBytes = 64 * 1024;

const tags = { integer: 2, oid: 6, utf8: 12, sequence: 0x30, set: 0x31, numeric: 18, printable: 19, t61: 20, ia5: 22, bmp: 30 };

/** The pkix.Name fields by attribute type, in the order Go's ToRDNSequence writes them. */
const fields: [keyof PkixName, string][] = [
  ['country', '2.5.4.6'], ['province', '2.5.4.8'], ['locality', '2.5.4.7'], ['streetAddress', '2.5.4.9'], ['postalCode', '2.5.4.17'],
  ['organization', '2.5.4.10'], ['organizationalUnit', '2.5.4.11'], ['commonName', '2.5.4.3'], ['serialNumber', '2.5.4.5'],
];
const fieldByOid = new Map(fields.map(([f, oid]) => [oid, f]));

interface Element {
  /** The identifier octet (class, constructed bit and tag number below 31). */
  tag: number;
  start: number;
  end: number;
}

/** One DER element at `at` that must end by `limit`; DER's definite, minimal lengths only. */
function readElement(der: Uint8Array, at: number, limit: number, fail: (why: string) => never): Element {
  if (at + 2 > limit) fail('data truncated');
  const tag = der[at];
  if ((tag & 0x1f) === 0x1f) fail('tags above 30 are not supported');
  let length = der[at + 1];
  let start = at + 2;
  if (length & 0x80) {
    const n = length & 0x7f;
    if (n === 0) fail('indefinite length found (not DER)');
    if (n > 3) fail('length too large');
    if (start + n > limit) fail('data truncated');
    if (der[start] === 0) fail('superfluous leading zeros in length');
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + der[start + i];
    if (length < 0x80) fail('non-minimal length');
    start += n;
  }
  if (start + length > limit) fail('data truncated');
  return { tag, start, end: start + length };
}

/** Dotted OID; arcs above 2^31-1, non-minimal arcs and empty OIDs are refused, as both Go readers do. */
function readOid(der: Uint8Array, e: Element): string | undefined {
  if (e.tag !== tags.oid || e.start === e.end) return undefined;
  const arcs: number[] = [];
  let value = 0;
  let first = true;
  for (let i = e.start; i < e.end; i++) {
    const b = der[i];
    if (value === 0 && b === 0x80) return undefined;
    value = value * 128 + (b & 0x7f);
    if (value > 0x7fffffff) return undefined;
    if (b & 0x80) {
      if (i === e.end - 1) return undefined;
      continue;
    }
    if (first) {
      arcs.push(value < 80 ? Math.floor(value / 40) : 2, value < 80 ? value % 40 : value - 80);
      first = false;
    } else arcs.push(value);
    value = 0;
  }
  return arcs.join('.');
}

const isPrintable = (b: number) => (b >= 0x61 && b <= 0x7a) || (b >= 0x41 && b <= 0x5a) || (b >= 0x30 && b <= 0x39) || (b >= 0x27 && b <= 0x29)
  || (b >= 0x2b && b <= 0x2f) || b === 0x20 || b === 0x3a || b === 0x3d || b === 0x3f || b === 0x2a || b === 0x26;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Go's parseASN1String (crypto/x509) and encoding/asn1's string parsers: the string, or why not. */
function readString(tag: number, v: Uint8Array, rules: NameRules): string | { error: string } | undefined {
  const syntax = (what: string) => ({ error: rules === 'certificate' ? `invalid ${what}` : `asn1: syntax error: ${what} contains invalid character` });
  switch (tag) {
    case tags.t61:
      // T.61 read as Latin-1, as Go and BoringSSL do.
      return Buffer.from(v).toString('latin1');
    case tags.printable:
      for (const b of v) if (!isPrintable(b)) return syntax('PrintableString');
      return Buffer.from(v).toString('latin1');
    case tags.utf8:
      try {
        return utf8.decode(v);
      } catch {
        return { error: rules === 'certificate' ? 'invalid UTF-8 string' : 'asn1: invalid UTF-8 string' };
      }
    case tags.bmp: {
      if (v.length % 2) return { error: 'invalid BMPString' };
      const n = v.length >= 2 && v[v.length - 1] === 0 && v[v.length - 2] === 0 ? v.length - 2 : v.length;
      let s = '';
      for (let i = 0; i < n; i += 2) {
        const point = (v[i] << 8) | v[i + 1];
        // UCS-2: surrogates and the permanent noncharacters are refused (Go, BoringSSL).
        if (point === 0xfffe || point === 0xffff || (point >= 0xfdd0 && point <= 0xfdef) || (point >= 0xd800 && point <= 0xdfff)) return { error: 'invalid BMPString' };
        s += String.fromCharCode(point);
      }
      return s;
    }
    case tags.ia5:
      for (const b of v) if (b >= 0x80) return syntax('IA5String');
      return Buffer.from(v).toString('latin1');
    case tags.numeric:
      for (const b of v) if (!((b >= 0x30 && b <= 0x39) || b === 0x20)) return syntax('NumericString');
      return Buffer.from(v).toString('latin1');
  }
  if (rules === 'certificate') return { error: `unsupported string type: ${tag}` };
  // encoding/asn1 keeps no string from any other type (a Boolean, an Integer, a UniversalString...).
  return undefined;
}

/** Reads a DER Name (the whole of `der`, or the element at `at`); throws NameError with Go's message when Go refuses it. */
export function parseName(der: Uint8Array, rules: NameRules, at = 0, limit = der.length): RDNSequence {
  const cert = rules === 'certificate';
  const fail = (prefix: string) => (why: string): never => {
    throw new NameError(cert ? prefix : `asn1: structure error: ${why}`);
  };
  const outer = readElement(der, at, limit, fail('x509: invalid RDNSequence'));
  if (outer.end - outer.start > maxNameBytes) throw new NameError(`${cert ? 'x509' : 'asn1'}: a Name over ${maxNameBytes} bytes`);
  if (outer.tag !== tags.sequence) fail('x509: invalid RDNSequence')('tags don\'t match (16 vs Name)');
  const rdns: RDNSequence = [];
  for (let p = outer.start; p < outer.end;) {
    const set = readElement(der, p, outer.end, fail('x509: invalid RDNSequence'));
    if (set.tag !== tags.set) fail('x509: invalid RDNSequence')('tags don\'t match (17 vs RelativeDistinguishedNameSET)');
    const rdn: NameAttribute[] = [];
    for (let q = set.start; q < set.end;) {
      const atv = readElement(der, q, set.end, fail('x509: invalid RDNSequence: invalid attribute'));
      if (atv.tag !== tags.sequence) fail('x509: invalid RDNSequence: invalid attribute')('tags don\'t match (16 vs AttributeTypeAndValue)');
      const type = readElement(der, atv.start, atv.end, fail('x509: invalid RDNSequence: invalid attribute type'));
      const oid = readOid(der, type);
      if (oid === undefined) fail('x509: invalid RDNSequence: invalid attribute type')('invalid object identifier');
      const raw = readElement(der, type.end, atv.end, fail('x509: invalid RDNSequence: invalid attribute value'));
      const value = readString(raw.tag, der.subarray(raw.start, raw.end), rules);
      if (typeof value === 'object') throw new NameError(cert ? `x509: invalid RDNSequence: invalid attribute value: ${value.error}` : value.error);
      rdn.push({ oid: oid!, value });
      // Elements after the value are allowed by both of Go's readers (X.509 grew by appending).
      q = atv.end;
    }
    rdns.push(rdn);
    p = set.end;
  }
  return rdns;
}

/** Go's pkix.Name.FillFromRDNSequence: the named fields; a later CommonName or SerialNumber wins. */
export function toPkixName(rdns: RDNSequence): PkixName {
  const name: PkixName = { country: [], organization: [], organizationalUnit: [], locality: [], province: [], streetAddress: [], postalCode: [], serialNumber: '', commonName: '' };
  for (const rdn of rdns) {
    for (const { oid, value } of rdn) {
      const f = value === undefined ? undefined : fieldByOid.get(oid);
      if (f === 'commonName' || f === 'serialNumber') name[f] = value!;
      else if (f) name[f].push(value!);
    }
  }
  return name;
}

function encodeLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

const element = (tag: number, content: Buffer) => Buffer.concat([Buffer.from([tag]), encodeLength(content.length), content]);

function encodeOid(oid: string): Buffer {
  const arcs = oid.split('.').map(Number);
  const out: number[] = [];
  for (const arc of [arcs[0] * 40 + arcs[1], ...arcs.slice(2)]) {
    const b = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) b.unshift(0x80 | (v & 0x7f));
    out.push(...b);
  }
  return element(tags.oid, Buffer.from(out));
}

/** encoding/asn1's choice for a Go string: PrintableString when every byte is one ('*' and '&' are not, when writing), else UTF8String. */
function encodeString(s: string): Buffer {
  const bytes = Buffer.from(s, 'utf8');
  const printable = bytes.every((b) => isPrintable(b) && b !== 0x2a && b !== 0x26);
  return element(printable ? tags.printable : tags.utf8, bytes);
}

/**
 * Go's asn1.Marshal(name.ToRDNSequence()): the fields in Go's order, the values of one field as one
 * (multi-valued) RDN whose members DER sorts. What kube's signer writes as an issued certificate's subject.
 */
export function marshalName(name: PkixName): Buffer {
  const rdns: Buffer[] = [];
  for (const [f, oid] of fields) {
    const values = f === 'commonName' || f === 'serialNumber' ? (name[f] ? [name[f]] : []) : name[f];
    if (!values.length) continue;
    const members = values.map((v) => element(tags.sequence, Buffer.concat([encodeOid(oid), encodeString(v)]))).sort(Buffer.compare);
    rdns.push(element(tags.set, Buffer.concat(members)));
  }
  return element(tags.sequence, Buffer.concat(rdns));
}

/** Issuer and subject of a DER certificate, read as crypto/x509 reads them (so as kube's TLS handshake does). */
export function certificateNames(der: Uint8Array): { issuer: PkixName; subject: PkixName } {
  const fail = (why: string): never => {
    throw new NameError(`x509: malformed certificate: ${why}`);
  };
  const certificate = readElement(der, 0, der.length, fail);
  if (certificate.tag !== tags.sequence) fail('not a SEQUENCE');
  const tbs = readElement(der, certificate.start, certificate.end, fail);
  if (tbs.tag !== tags.sequence) fail('malformed tbs certificate');
  let e = readElement(der, tbs.start, tbs.end, fail);
  // [0] EXPLICIT version, then serialNumber, signature, issuer, validity, subject
  if (e.tag === 0xa0) e = readElement(der, e.end, tbs.end, fail);
  if (e.tag !== tags.integer) fail('malformed serial number');
  const signature = readElement(der, e.end, tbs.end, fail);
  if (signature.tag !== tags.sequence) fail('malformed signature algorithm identifier');
  const issuerAt = signature.end;
  const issuer = toPkixName(parseName(der, 'certificate', issuerAt, tbs.end));
  const validity = readElement(der, readElement(der, issuerAt, tbs.end, fail).end, tbs.end, fail);
  if (validity.tag !== tags.sequence) fail('malformed validity');
  const subject = toPkixName(parseName(der, 'certificate', validity.end, tbs.end));
  return { issuer, subject };
}
