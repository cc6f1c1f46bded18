// server/api/json.ts: int64 integers beyond 2^53 survive a parse and a stringify; nothing else changes.
import { describe, expect, it } from 'vitest';
import { containsBigInt, int64Literal, parseExactJSON, stringifyJSON, withFloatIntegers } from '../../server/api/json.js';

describe('exact JSON', () => {
  it('round-trips int64 beyond 2^53 in objects, arrays and at the root', () => {
    for (const text of ['{"a":{"b":9223372036854775807},"c":[-9223372036854775808,1,9007199254740993]}', '9007199254740993', '[[{"x":1234567890123456789}]]']) {
      expect(stringifyJSON(parseExactJSON(text))).toBe(text);
    }
    const v = parseExactJSON('{"n":9223372036854775807}') as { n: unknown };
    expect(v.n).toBe(9223372036854775807n);
    expect(structuredClone(v)).toEqual(v);
  });

  it('leaves other numbers as JSON.parse reads them: safe integers, floats, integers beyond int64', () => {
    const text = '{"a":9007199254740991,"b":1.5e300,"c":92233720368547758080,"d":"9223372036854775807","e":1234567890123456.5}';
    expect(parseExactJSON(text)).toEqual(JSON.parse(text));
    expect(containsBigInt(parseExactJSON(text))).toBe(false);
  });

  it('a client string cannot pass for an integer: only the marker with this process\'s nonce is replaced', () => {
    const forged = { s: '\u0000int64-000000000000:123', t: '\u0000int64-:5' };
    expect(stringifyJSON(forged)).toBe(JSON.stringify(forged));
    const mixed = { big: 9223372036854775807n, s: '\u0000int64-000000000000:123' };
    expect(stringifyJSON(mixed)).toBe('{"big":9223372036854775807,"s":"\\u0000int64-000000000000:123"}');
  });

  it('int64 bounds, and float copies for the schema checks', () => {
    expect(int64Literal('9223372036854775807')).toBe(9223372036854775807n);
    expect(int64Literal('9223372036854775808')).toBeUndefined();
    expect(int64Literal('-9223372036854775808')).toBe(-9223372036854775808n);
    expect(int64Literal('1e20')).toBeUndefined();
    const plain = { a: [1, { b: 'x' }] };
    expect(withFloatIntegers(plain)).toBe(plain);
    expect(withFloatIntegers({ a: [9007199254740993n] })).toEqual({ a: [9007199254740992] });
  });
});
