// Fuzzing the decode step, the three patch types and schema validation with fast-check: on any
// JSON (hostile keys, deep nesting, numbers JavaScript cannot hold) they answer or throw an
// ApiError with a 4xx code, and never touch Object.prototype. Bounded to a few seconds.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../server/api/errors.js';
import { applyPatch, decodeObjectBytes, decodePatchBytes, decodePatched, type PatchFormat } from '../../server/endpoints/handlers/decode.js';
import { parseBody } from '../../server/http/body.js';
import type { FieldValidation, WriteOptions } from '../../server/registry/store.js';
import { deployments } from '../../server/resources/apps/deployments.js';
import { configmaps } from '../../server/resources/core/configmaps.js';
import { validateAgainstSchema } from '../../server/schema/validate.js';

const hostileKeys = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__',
  'metadata', 'name', 'data', 'spec', 'replicas', 'template', 'containers', 'labels', '$patch', '$retainKeys', 'polluted'];
const hostileNumbers = ['1e309', '-1e309', '9223372036854775808', '9007199254740993', '2147483648', '-0', '1e-400', '0.1'];

/** A JSON value as text, with literals JSON.stringify cannot write (1e309, 2^63). */
type Tree = { lit: string } | { arr: Tree[] } | { obj: Array<[string, Tree]> };
const { tree } = fc.letrec<{ tree: Tree }>((tie) => ({
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(
      fc.constantFrom(...hostileNumbers, 'null', 'true', '0', '"x"', '"__proto__"'),
      fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
    ).map((lit) => ({ lit })),
    fc.array(tie('tree'), { maxLength: 4 }).map((arr) => ({ arr })),
    fc.array(fc.tuple(fc.oneof(fc.constantFrom(...hostileKeys), fc.string({ maxLength: 6 })), tie('tree')), { maxLength: 5 }).map((obj) => ({ obj })),
  ),
}));

function text(t: Tree): string {
  if ('lit' in t) return t.lit;
  if ('arr' in t) return `[${t.arr.map(text).join(',')}]`;
  return `{${t.obj.map(([k, v]) => `${JSON.stringify(k)}:${text(v)}`).join(',')}}`;
}

/** Sometimes wrapped deep, past the nesting bound or just under it. */
const body = fc.tuple(tree, fc.constantFrom(0, 0, 0, 5, 999, 1200, 20000), fc.constantFrom('{"a":', '[')).map(([t, depth, open]) => {
  const close = open === '[' ? ']' : '}';
  return open.repeat(depth) + text(t) + close.repeat(depth);
});

/** Objects shaped like the resources, so the schema walk goes deep into known fields too. */
const shaped = fc.tuple(tree, fc.constantFrom('data', 'spec', 'metadata')).map(([t, field]) =>
  `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"f"},${JSON.stringify(field)}:${text(t)}}`);

const opts = (fieldValidation: FieldValidation): WriteOptions => ({ dryRun: false, fieldValidation, warnings: [] });
const protoNames = Object.getOwnPropertyNames(Object.prototype).sort().join(',');

function only4xx(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof ApiError) || e.code < 400 || e.code >= 500) throw e;
  }
}

function untouched(): void {
  expect(Object.getOwnPropertyNames(Object.prototype).sort().join(',')).toBe(protoNames);
  expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  for (const k of hostileKeys) if (!['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__', '__proto__'].includes(k)) expect(k in {}).toBe(false);
}

const current = JSON.parse('{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d","labels":{"a":"b"}},"spec":{"replicas":1,"template":{"spec":{"containers":[{"name":"c","image":"i"}]}}}}');
const modes: FieldValidation[] = ['Strict', 'Warn', 'Ignore'];
const patchFormats: PatchFormat[] = ['json-patch', 'merge-patch', 'strategic-merge-patch'];

describe('fuzz: decode, patch and schema validation', () => {
  it('object bodies: only 4xx ApiErrors, Object.prototype untouched', () => {
    fc.assert(fc.property(fc.oneof(body, shaped), fc.constantFrom(...modes), (b, mode) => {
      for (const rt of [configmaps, deployments]) {
        only4xx(() => decodeObjectBytes(Buffer.from(b), 'json', rt, opts(mode)));
        only4xx(() => {
          const v = parseBody(Buffer.from(b), 'json', '').value;
          if (v && typeof v === 'object') validateAgainstSchema(rt, v as never);
        });
      }
      untouched();
    }), { numRuns: 150, seed: 11 });
  });

  it('patches of every type on a deployment: only 4xx ApiErrors, Object.prototype untouched', () => {
    const ops = fc.array(fc.record({
      op: fc.constantFrom('add', 'remove', 'replace', 'move', 'copy', 'test', 'bogus'),
      path: fc.oneof(
        fc.constantFrom('/metadata/__proto__/polluted', '/__proto__/polluted', '/spec/constructor/prototype/polluted', '/metadata/labels/__proto__'),
        fc.array(fc.oneof(fc.constantFrom(...hostileKeys, '0', '-', '99'), fc.string({ maxLength: 3 })), { maxLength: 4 }).map((p) => '/' + p.join('/')),
      ),
      from: fc.constantFrom('/metadata', '/spec/replicas', '/__proto__', '/metadata/labels/a'),
      value: tree.map(text),
    }), { maxLength: 4 }).map((list) => `[${list.map((o) => `{"op":"${o.op}","path":${JSON.stringify(o.path)},"from":"${o.from}","value":${o.value}}`).join(',')}]`);
    fc.assert(fc.property(fc.oneof(body, shaped, ops), fc.constantFrom(...patchFormats), fc.constantFrom(...modes), (b, format, mode) => {
      only4xx(() => {
        const o = opts(mode);
        const decoded = decodePatchBytes(Buffer.from(b), format, o);
        decodePatched(decoded, applyPatch(decoded, structuredClone(current)), o, deployments);
      });
      untouched();
    }), { numRuns: 200, seed: 7 });
  });

  it('YAML bodies with anchors and aliases: only 4xx ApiErrors', () => {
    const yaml = fc.array(fc.tuple(fc.constantFrom(...hostileKeys), fc.constantFrom('&a [1, 2]', '*a', '&b {x: *a}', '*b', '1e309', '[[[[[]]]]]', '!!binary x', '*missing')), { maxLength: 12 })
      .map((pairs) => pairs.map(([k, v], i) => `${k}${i}: ${v}`).join('\n') || 'a: 1');
    fc.assert(fc.property(yaml, fc.constantFrom(...modes), (b, mode) => {
      only4xx(() => decodeObjectBytes(Buffer.from(b), 'yaml', configmaps, opts(mode)));
      only4xx(() => decodePatchBytes(Buffer.from(b), 'apply-patch', opts(mode)));
      untouched();
    }), { numRuns: 120, seed: 3 });
  });
});
