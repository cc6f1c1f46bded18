// The three patch types on prototype keys: every map holds any key a client sends, and no patch
// walks into or changes Object.prototype.
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../server/api/errors.js';
import { applyJSONPatch } from '../../server/patch/json-patch.js';
import { applyMergePatch } from '../../server/patch/merge-patch.js';
import { applyStrategicMergePatch } from '../../server/patch/strategic-merge-patch.js';

const protoNames = Object.getOwnPropertyNames(Object.prototype).sort();
afterEach(() => {
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoNames);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

const doc = () => JSON.parse('{"metadata":{"name":"a"},"data":{"k":"v"}}');

describe('JSON patch', () => {
  it('a path through __proto__ is a missing path (422), never the prototype', () => {
    for (const path of ['/metadata/__proto__/polluted', '/__proto__/polluted', '/data/constructor/prototype/polluted']) {
      let err: unknown;
      try { applyJSONPatch(doc(), [{ op: 'add', path, value: 'yes' }]); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).code).toBe(422);
    }
    expect(() => applyJSONPatch(doc(), [{ op: 'test', path: '/data/toString', value: null }])).toThrow(/test failed/);
    expect(() => applyJSONPatch(doc(), [{ op: 'remove', path: '/data/constructor' }])).toThrow(ApiError);
  });

  it('adds, replaces and removes a data key named __proto__ as an own key', () => {
    const added = applyJSONPatch(doc(), [{ op: 'add', path: '/data/__proto__', value: 'x' }]) as any;
    expect(Object.hasOwn(added.data, '__proto__')).toBe(true);
    expect(Object.getPrototypeOf(added.data)).toBe(Object.prototype);
    expect(JSON.stringify(added.data)).toBe('{"k":"v","__proto__":"x"}');
    const replaced = applyJSONPatch(added, [{ op: 'replace', path: '/data/__proto__', value: { polluted: 1 } }]) as any;
    expect(JSON.stringify(replaced.data)).toBe('{"k":"v","__proto__":{"polluted":1}}');
    const removed = applyJSONPatch(replaced, [{ op: 'remove', path: '/data/__proto__' }]) as any;
    expect(JSON.stringify(removed.data)).toBe('{"k":"v"}');
  });

  it('refuses more than 10000 operations with 413', () => {
    let err: unknown;
    try { applyJSONPatch(doc(), Array.from({ length: 10001 }, () => ({ op: 'test', path: '/data/k', value: 'v' }))); } catch (e) { err = e; }
    expect((err as ApiError).code).toBe(413);
  });
});

describe('merge and strategic merge patch', () => {
  const hostile = JSON.parse('{"data":{"__proto__":"p","constructor":"c","toString":"t"},"metadata":{"__proto__":{"polluted":"yes"}}}');

  it('merge patch keeps every key as an own key', () => {
    const out = applyMergePatch(doc(), hostile) as any;
    expect(JSON.stringify(out.data)).toBe('{"k":"v","__proto__":"p","constructor":"c","toString":"t"}');
    expect(Object.hasOwn(out.metadata, '__proto__')).toBe(true);
    expect(out.metadata.polluted).toBeUndefined();
  });

  it('strategic merge patch keeps every key as an own key, also in lists and directives', () => {
    const out = applyStrategicMergePatch(doc(), hostile) as any;
    expect(JSON.stringify(out.data)).toBe('{"k":"v","__proto__":"p","constructor":"c","toString":"t"}');
    expect(out.metadata.polluted).toBeUndefined();
    const lists = applyStrategicMergePatch({ constructor: [{ name: 'a' }], toString: [1] }, JSON.parse('{"constructor":[{"name":"b"}],"$deleteFromPrimitiveList/toString":[1],"$retainKeys":["constructor"]}')) as any;
    expect(lists).toEqual({ constructor: [{ name: 'b' }] });
    const retained = applyStrategicMergePatch({ a: 1, b: 2 }, JSON.parse('{"$retainKeys":["a","__proto__"],"__proto__":{"x":1}}')) as any;
    expect(JSON.stringify(retained)).toBe('{"a":1,"__proto__":{"x":1}}');
  });
});
