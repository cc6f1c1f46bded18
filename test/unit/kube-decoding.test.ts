// Go's decoding rules the server follows (issue 11): base64 and RFC 3339 strings, JSON patch
// pointers and copy as evanphx/json-patch v4, strategic merge directives, Accept negotiation.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../server/api/errors.js';
import { negotiate, partialKind } from '../../server/http/negotiate.js';
import { applyJSONPatch } from '../../server/patch/json-patch.js';
import { applyStrategicMergePatch } from '../../server/patch/strategic-merge-patch.js';
import { base64Error, rfc3339Error } from '../../server/schema/go-formats.js';
import { validateListOptions } from '../../server/registry/validation.js';

const apiError = (fn: () => unknown): ApiError => {
  try { fn(); } catch (e) { if (e instanceof ApiError) return e; throw e; }
  throw new Error('no error');
};

describe('base64 as encoding/base64.StdEncoding decodes it', () => {
  it('accepts padded standard base64, with newlines, and the empty string', () => {
    for (const ok of ['', 'eA==', 'eHk=', 'eHl6', 'eHl6\neA==', 'eHl6\r\n']) expect(base64Error(ok)).toBeUndefined();
  });
  it('names the byte Go names', () => {
    expect(base64Error('!!!not base64')).toBe('illegal base64 data at input byte 0');
    expect(base64Error('eHl6x')).toBe('illegal base64 data at input byte 4'); // padding is required
    expect(base64Error('eA')).toBe('illegal base64 data at input byte 0');
    expect(base64Error('eA=')).toBe('illegal base64 data at input byte 3');
    expect(base64Error('e===')).toBe('illegal base64 data at input byte 1');
    expect(base64Error('eA==eA==')).toBe('illegal base64 data at input byte 4');
    expect(base64Error('eA_-')).toBe('illegal base64 data at input byte 2'); // URL alphabet is not Std
  });
});

describe('metav1.Time as time.Parse(RFC3339) reads it', () => {
  it('accepts RFC 3339 with Z, offsets and fractional seconds', () => {
    for (const ok of ['2020-01-02T03:04:05Z', '2020-01-02T03:04:05.123456789Z', '2020-02-29T23:59:59+05:30']) expect(rfc3339Error(ok)).toBeUndefined();
  });
  it('reports the element that failed, or the range', () => {
    const layout = '"2006-01-02T15:04:05Z07:00"';
    expect(rfc3339Error('yesterday')).toBe(`parsing time "yesterday" as ${layout}: cannot parse "yesterday" as "2006"`);
    expect(rfc3339Error('')).toBe(`parsing time "" as ${layout}: cannot parse "" as "2006"`);
    expect(rfc3339Error('2020-01-02')).toBe(`parsing time "2020-01-02" as ${layout}: cannot parse "" as "T"`);
    expect(rfc3339Error('2020-01-02T03:04:05')).toBe(`parsing time "2020-01-02T03:04:05" as ${layout}: cannot parse "" as "Z07:00"`);
    expect(rfc3339Error('2020-13-02T03:04:05Z')).toBe('parsing time "2020-13-02T03:04:05Z": month out of range');
    expect(rfc3339Error('2021-02-29T03:04:05Z')).toBe('parsing time "2021-02-29T03:04:05Z": day out of range');
    expect(rfc3339Error('2020-01-02T03:04:05Zx')).toBe('parsing time "2020-01-02T03:04:05Zx": extra text: "x"');
  });
});

describe('JSON patch as evanphx/json-patch v4 applies it', () => {
  it('drops what precedes the first slash of a path', () => {
    expect(applyJSONPatch({ data: { a: 'b' } }, [{ op: 'add', path: 'data/a', value: 'x' }])).toEqual({ data: { a: 'b' }, a: 'x' });
    expect(apiError(() => applyJSONPatch({ a: 1 }, [{ op: 'add', path: 'nope', value: 1 }])).code).toBe(422);
  });
  it('copies a missing member of an existing object as null, never one from the prototype', () => {
    expect(applyJSONPatch({ data: { a: 'b' } }, [{ op: 'copy', from: '/data/__proto__', path: '/data/z' }])).toEqual({ data: { a: 'b', z: null } });
    expect(applyJSONPatch({ data: { a: 'b' } }, [{ op: 'copy', from: '/data/constructor', path: '/data/z' }])).toEqual({ data: { a: 'b', z: null } });
    expect(apiError(() => applyJSONPatch({ data: {} }, [{ op: 'copy', from: '/nope/x', path: '/data/z' }])).code).toBe(422);
    expect(apiError(() => applyJSONPatch({ l: [1] }, [{ op: 'copy', from: '/l/3', path: '/z' }])).code).toBe(422);
  });
});

describe('strategic merge patch directives', () => {
  it('an unknown $patch in a map is refused with kube\'s message, as a 400 (kube: a reasonless 500)', () => {
    const e = apiError(() => applyStrategicMergePatch({ data: { a: 'b' } }, { data: { $patch: 'bogus' } }));
    expect(e.code).toBe(400);
    expect(e.reason).toBe('BadRequest');
    expect(e.message).toBe('unknown patch type: bogus in map: map[$patch:bogus]');
    expect(applyStrategicMergePatch({ data: { a: 'b' } }, { data: { $patch: 'replace', c: 'd' } })).toEqual({ data: { c: 'd' } });
  });
});

describe('Accept negotiation', () => {
  it('serves PartialObjectMetadata(List) in meta.k8s.io v1 and v1beta1 only', () => {
    expect(negotiate('application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1', true)).toBe('partial');
    expect(negotiate('application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1beta1', true)).toBe('partial-v1beta1');
    expect(negotiate('application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v2, application/json', true)).toBe('json');
    expect(partialKind('application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1')).toBe('PartialObjectMetadataList');
    expect(apiError(() => negotiate('application/json;as=PartialObjectMetadata;g=example.com;v=v1', true)).code).toBe(406);
  });
});

describe('ListOptions', () => {
  it('refuses resourceVersionMatch with continue (422) and a resourceVersion with continue (400)', () => {
    expect(apiError(() => validateListOptions({ resourceVersionMatch: 'NotOlderThan', resourceVersion: '1', continue: 'x' })).code).toBe(422);
    expect(apiError(() => validateListOptions({ resourceVersion: '5', continue: 'x' })).message).toBe('specifying resource version is not allowed when using continue');
    expect(() => validateListOptions({ resourceVersion: '0', continue: 'x' })).not.toThrow();
  });
});
