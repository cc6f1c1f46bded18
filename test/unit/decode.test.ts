// The one decode step without a server: body parsing (duplicates, depth, aliases, numbers),
// fieldValidation on objects and patches, and kube's query-parameter conversion.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../server/api/errors.js';
import { applyPatch, decodeObjectBytes, decodePatchBytes, decodePatched } from '../../server/endpoints/handlers/decode.js';
import { parseInt64, queryBool } from '../../server/endpoints/handlers/query.js';
import { maxNestingDepth, parseBody } from '../../server/http/body.js';
import type { FieldValidation, WriteOptions } from '../../server/registry/store.js';
import { deployments } from '../../server/resources/apps/deployments.js';
import { configmaps } from '../../server/resources/core/configmaps.js';
import { scaleTarget, toScale } from '../../server/registry/subresources/scale.js';
import { decodeProtobuf } from '../../server/protobuf/decode.js';
import { protobufBody } from '../support/protobuf.js';
import { fastestMs, linearBoundMs } from '../support/timing.js';

const opts = (fieldValidation: FieldValidation): WriteOptions => ({ dryRun: false, fieldValidation, warnings: [] });
const buf = (s: string) => Buffer.from(s);

function apiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    return e as ApiError;
  }
  throw new Error('expected an ApiError');
}

describe('parseBody', () => {
  it('finds duplicate keys with kube\'s paths, escaped keys decoded', () => {
    const r = parseBody(buf('{"metadata":{"name":"a","name":"b"},"list":[{"x":1,"\\u0078":2}]}'), 'json', 'ConfigMap');
    expect(r.duplicates).toEqual(['duplicate field "metadata.name"', 'duplicate field "list[0].x"']);
  });

  it('refuses nesting beyond the bound with 400, accepts it at the bound', () => {
    const deep = (d: number) => '['.repeat(d) + ']'.repeat(d);
    expect(apiError(() => parseBody(buf(deep(maxNestingDepth + 1)), 'json', 'ConfigMap')).code).toBe(400);
    expect(apiError(() => parseBody(buf(deep(100000)), 'json', '')).message).toContain('nesting depth exceeds the maximum');
    expect(parseBody(buf(deep(maxNestingDepth)), 'json', '').value).toBeInstanceOf(Array);
    expect(apiError(() => parseBody(buf('a:\n' + '  '.repeat(1) + '['.repeat(5000) + ']'.repeat(5000)), 'yaml', '')).code).toBe(400);
  });

  it('reports number literals JavaScript cannot hold', () => {
    const r = parseBody(buf('{"a":1e309,"b":[9223372036854775808],"c":9007199254740991,"d":1.5e300,"e":-1e400}'), 'json', '');
    expect(r.unsafeNumbers).toEqual([
      { path: ['a'], literal: '1e309' }, { path: ['b', '0'], literal: '9223372036854775808' }, { path: ['e'], literal: '-1e400' },
    ]);
  });

  it('YAML: many aliases are fine, excessive aliasing is 400, duplicates use go-yaml\'s words, no throw escapes', () => {
    const many = 'v: &v x\n' + Array.from({ length: 500 }, (_, i) => `k${i}: *v`).join('\n');
    expect((parseBody(buf(many), 'yaml', '').value as Record<string, string>).k499).toBe('x');
    let laughs = 'a0: &a0 [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n';
    for (let i = 1; i < 9; i++) laughs += `a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(',')}]\n`;
    expect(apiError(() => parseBody(buf(laughs), 'yaml', '')).message).toContain('document contains excessive aliasing');
    const shared = parseBody(buf('a: &x {k: 1}\nb: *x\n'), 'yaml', '').value as Record<string, unknown>;
    expect(shared.a).toEqual(shared.b);
    expect(shared.a).not.toBe(shared.b); // a tree of its own: patching one must not change the other
    expect(parseBody(buf('a: 1\nb: 2\na: 3\n'), 'yaml', '').duplicates[0]).toContain('line 3: key "a" already set in map');
    expect(apiError(() => parseBody(buf('a: *missing\n'), 'yaml', '')).code).toBe(400);
  });

  // sigs.k8s.io/yaml (go-yaml v2) counts every node it decodes and refuses at once when the share that
  // came from aliases passes its ratio; the work is linear in the body, whatever the aliases do.
  const timed = <T>(fn: () => T): [T | ApiError, number] => {
    const started = performance.now();
    let out: T | ApiError;
    try { out = fn(); } catch (e) { out = e as ApiError; }
    return [out, performance.now() - started];
  };

  it('YAML: a billion-laughs body is refused at once, before anything is expanded', () => {
    let laughs = 'a0: &a0 [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n';
    for (let i = 1; i < 30; i++) laughs += `a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(',')}]\n`;
    const [out, ms] = timed(() => parseBody(buf(laughs), 'yaml', ''));
    expect(out).toBeInstanceOf(ApiError);
    expect((out as ApiError).message).toBe('error converting YAML to JSON: yaml: document contains excessive aliasing');
    expect(ms).toBeLessThan(linearBoundMs);
  });

  it('YAML: many aliases to one anchor (a quadratic body before) decode in linear time, as kube decodes them', () => {
    // Against the same body without aliases: this machine's speed (and the yaml parser's) is the unit.
    const list = (item: string, n: number) => `v: &v x\nm: &m {${Array.from({ length: 100 }, (_, i) => `k${i}: ${i}`).join(', ')}}\nlist: [${Array(n).fill(item).join(', ')}]\n`;
    const plainMs = fastestMs(() => parseBody(buf(list('vv', 20_000)), 'yaml', ''));
    // 20k aliases (16 s before): half of the decoded nodes are aliases, below go-yaml's ratio, so kube accepts it.
    const [out, ms] = timed(() => parseBody(buf(list('*v', 20_000)), 'yaml', ''));
    expect(out).not.toBeInstanceOf(ApiError);
    expect(((out as { value: { list: string[] } }).value.list)).toEqual(Array(20_000).fill('x'));
    expect(Math.min(ms, fastestMs(() => parseBody(buf(list('*v', 20_000)), 'yaml', '')))).toBeLessThan(3 * plainMs + linearBoundMs);
    // Each alias to a map of 100 keys: decoded nodes are 99% from aliases, so go-yaml refuses it early.
    const [refused, ms2] = timed(() => parseBody(buf(list('*m', 20_000)), 'yaml', ''));
    expect((refused as ApiError).message).toContain('document contains excessive aliasing');
    expect(Math.min(ms2, fastestMs(() => { try { parseBody(buf(list('*m', 20_000)), 'yaml', ''); } catch { /* refused */ } }))).toBeLessThan(3 * plainMs + linearBoundMs);
  });

  it('YAML: anchors resolve by position, an alias inside its own anchor and an unknown anchor are go-yaml\'s errors', () => {
    expect(parseBody(buf('a: &x 1\nb: *x\nc: &x 2\nd: *x\n'), 'yaml', '').value).toEqual({ a: 1, b: 1, c: 2, d: 2 });
    expect(parseBody(buf('k: &k name\n*k : v\nl: [a: 1, b]\n'), 'yaml', '').value).toEqual({ k: 'name', name: 'v', l: [{ a: 1 }, 'b'] });
    expect(apiError(() => parseBody(buf('a: &x [1, *x]\n'), 'yaml', '')).message).toBe("error converting YAML to JSON: yaml: anchor 'x' value contains itself");
    expect(apiError(() => parseBody(buf('a: *missing\n'), 'yaml', '')).message).toBe("error converting YAML to JSON: yaml: unknown anchor 'missing' referenced");
    expect(parseBody(buf('a: [9223372036854775808]\n'), 'yaml', '').unsafeNumbers).toEqual([{ path: ['a', '0'], literal: '9223372036854775808' }]);
  });
});

describe('decodeObjectBytes', () => {
  const body = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a","name":"a","bogus":1},"extra":{"__proto__":{"x":1}},"data":{"k":"v"}}';

  it('Strict refuses duplicate and unknown fields in one strict decoding error, in document order (kube 1.35\'s answer)', () => {
    const e = apiError(() => decodeObjectBytes(buf(body), 'json', configmaps, opts('Strict')));
    expect(e.code).toBe(400);
    expect(e.message).toBe('ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: duplicate field "metadata.name", unknown field "metadata.bogus", unknown field "extra"');
  });

  it('Warn warns and Ignore stays silent; both drop the unknown fields', () => {
    for (const mode of ['Warn', 'Ignore'] as const) {
      const o = opts(mode);
      const obj = decodeObjectBytes(buf(body), 'json', configmaps, o);
      expect(JSON.stringify(obj)).toBe('{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"k":"v"}}');
      expect(o.warnings).toEqual(mode === 'Warn' ? ['duplicate field "metadata.name"', 'unknown field "metadata.bogus"', 'unknown field "extra"'] : []);
    }
  });

  it('out-of-range numbers get kube\'s decode errors', () => {
    const dep = (r: string) => buf(`{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},"spec":{"replicas":${r}}}`);
    expect(apiError(() => decodeObjectBytes(dep('1e309'), 'json', deployments, opts('Ignore'))).message)
      .toBe('Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal number 1e309 into Go struct field DeploymentSpec.spec.replicas of type int32');
    expect(apiError(() => decodeObjectBytes(dep('-2147483649'), 'json', deployments, opts('Ignore'))).message).toContain('cannot unmarshal number -2147483649 into');
    expect(decodeObjectBytes(dep('2147483647'), 'json', deployments, opts('Strict')).spec).toEqual({ replicas: 2147483647 });
    // An unknown field is dropped before its number matters, as Go skips it.
    expect(decodeObjectBytes(buf('{"metadata":{"name":"x"},"junk":1e999}'), 'json', configmaps, opts('Ignore')).junk).toBeUndefined();
  });

  it('a Scale body decodes against autoscaling/v1 Scale', () => {
    expect(apiError(() => decodeObjectBytes(buf('{"spec":{"replicas":1,"nope":2}}'), 'json', scaleTarget, opts('Strict'))).message)
      .toBe('Scale in version "v1" cannot be handled as a Scale: strict decoding error: unknown field "spec.nope"');
  });
});

describe('patches through the decode step', () => {
  const current = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { k: 'v' } };

  it('strict errors of the patch and unknown fields of the result: 422 naming the patch under Strict', () => {
    const p = decodePatchBytes(buf('{"data":{"k":"1","k":"2"},"spec":{}}'), 'merge-patch', opts('Strict'));
    const e = apiError(() => decodePatched(p, applyPatch(p, current), opts('Strict'), configmaps));
    expect(e.code).toBe(422);
    expect(e.message).toMatch(/^ "" is invalid: patch: Invalid value: ".*": strict decoding error: duplicate field "data.k", unknown field "spec"$/);
    const warn = opts('Warn');
    const obj = decodePatched(p, applyPatch(p, current), warn, configmaps);
    expect(obj.spec).toBeUndefined();
    expect(warn.warnings).toEqual(['duplicate field "data.k"', 'unknown field "spec"']);
  });

  it('unknown fields already stored are not the patch\'s: only the ones it brings are judged and dropped', () => {
    const stored = { ...current, legacy: { x: 1 } };
    const p = decodePatchBytes(buf('{"data":{"k":"2"}}'), 'merge-patch', opts('Strict'));
    expect(decodePatched(p, applyPatch(p, stored), opts('Strict'), configmaps, stored)).toMatchObject({ legacy: { x: 1 }, data: { k: '2' } });
    const q = decodePatchBytes(buf('{"other":1}'), 'merge-patch', opts('Strict'));
    expect(apiError(() => decodePatched(q, applyPatch(q, stored), opts('Strict'), configmaps, stored)).message).toMatch(/strict decoding error: unknown field "other"$/);
  });

  it('a strategic merge patch is shown as kube shows the patch map', () => {
    const p = decodePatchBytes(buf('{"data":{"k":"1","k":"2"},"b":[1,null]}'), 'strategic-merge-patch', opts('Strict'));
    expect(apiError(() => decodePatched(p, applyPatch(p, current), opts('Strict'), configmaps)).message)
      .toBe(' "" is invalid: patch: Invalid value: "map[b:[1 <nil>] data:map[k:2]]": strict decoding error: duplicate field "data.k", unknown field "b"');
  });

  it('JSON patch strict errors are prefixed as kube prefixes them; unknown operation fields are strict errors', () => {
    const p = decodePatchBytes(buf('[{"op":"add","path":"/data/x","value":"1","extra":true}]'), 'json-patch', opts('Warn'));
    expect(p.strictErrors).toEqual(['json patch unknown field "[0].extra"']);
  });

  it('apply configurations with duplicate keys are 400 under Strict, a warning under Warn', () => {
    const yaml = buf('metadata:\n  name: a\n  name: b\n');
    expect(apiError(() => decodePatchBytes(yaml, 'apply-patch', opts('Strict'))).message).toMatch(/^error strict decoding YAML: error converting YAML to JSON: yaml: unmarshal errors:\n {2}line 3: key "name" already set in map$/);
    const w = opts('Warn');
    decodePatchBytes(yaml, 'apply-patch', w);
    expect(w.warnings).toHaveLength(1);
  });

  it('typed objects: duplicate and unknown fields in the order they stand (kube\'s FieldValidation conformance spec)', () => {
    const dep = '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"my-dep"},"spec":{"unknownField":"foo","replicas":2,"replicas":3,"selector":{"matchLabels":{"app":"nginx"}}}}';
    expect(apiError(() => decodeObjectBytes(buf(dep), 'json', deployments, opts('Strict'))).message)
      .toBe('Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.unknownField", duplicate field "spec.replicas"');
    const w = opts('Warn');
    decodeObjectBytes(buf(dep), 'json', deployments, w);
    expect(w.warnings).toEqual(['unknown field "spec.unknownField"', 'duplicate field "spec.replicas"']);
  });

  it('apply: an unknown field in the configuration is kube\'s typed-patch 500, whatever fieldValidation says', () => {
    const config = buf('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  unknownMeta: x\nunknownTop: y\ndata:\n  a: b\n');
    for (const mode of ['Ignore', 'Warn', 'Strict'] as const) {
      const p = decodePatchBytes(config, 'apply-patch', opts(mode));
      const e = apiError(() => decodePatched(p, structuredClone(p.patch), opts(mode), configmaps));
      expect(e.code).toBe(500);
      expect(e.toStatus()).toMatchObject({ reason: undefined, message: 'failed to create typed patch object (/a; /v1, Kind=ConfigMap): errors:\n  .metadata.unknownMeta: field not declared in schema\n  .unknownTop: field not declared in schema' });
    }
    // The walk stops at a map's first unknown field: what follows it there is not reached.
    const p = decodePatchBytes(buf('apiVersion: v1\nkind: ConfigMap\nunknownTop: y\nmetadata:\n  name: a\n  unknownMeta: x\n'), 'apply-patch', opts('Strict'));
    expect(apiError(() => decodePatched(p, structuredClone(p.patch), opts('Strict'), configmaps)).message)
      .toBe('failed to create typed patch object (/a; /v1, Kind=ConfigMap): .unknownTop: field not declared in schema');
  });

  it('unsafe numbers in a patch are 400', () => {
    expect(apiError(() => decodePatchBytes(buf('{"spec":{"replicas":1e309}}'), 'merge-patch', opts('Ignore'))).message)
      .toBe('error decoding patch: json: cannot unmarshal number 1e309 into Go value of type float64');
  });
});

describe('scale storage', () => {
  it('reads replicas and the selector from the declared paths', () => {
    const rt = { ...deployments, subresources: { scale: { specReplicasPath: '.spec.size', statusReplicasPath: '.status.count', labelSelectorPath: '.status.sel' } } };
    const obj = { metadata: { name: 'x' }, spec: { size: 3, replicas: 9 }, status: { count: 2, sel: 'app=x' } };
    expect(toScale(rt, obj)).toMatchObject({ spec: { replicas: 3 }, status: { replicas: 2, selector: 'app=x' } });
  });
});

describe('query parameters', () => {
  it('int64 as Go\'s strconv.ParseInt', () => {
    expect(parseInt64('30')).toBe(30);
    expect(parseInt64('-5')).toBe(-5);
    expect(parseInt64('+7')).toBe(7);
    for (const bad of ['abc', '', '1e12', '1.5', ' 1', '0x10']) {
      expect(apiError(() => parseInt64(bad)).message).toBe(`strconv.ParseInt: parsing ${JSON.stringify(bad)}: invalid syntax`);
    }
    expect(apiError(() => parseInt64('9223372036854775808')).message).toContain('value out of range');
  });

  it('bool as kube converts it: only absent, "0" and "false" are false', () => {
    const q = new URLSearchParams('a=true&b=0&c=False&d=&e=yes');
    expect(['a', 'b', 'c', 'd', 'e', 'f'].map((k) => queryBool(q, k))).toEqual([true, false, false, true, true, false]);
  });
});

describe('protobuf bodies', () => {
  const body = protobufBody;


  it('map keys named like Object.prototype members stay own keys', () => {
    const obj = decodeProtobuf(body('v1', 'ConfigMap', 'k8s.io.api.core.v1.ConfigMap', { metadata: { name: 'c' }, data: { ['__proto__']: 'p', constructor: 'c' } })) as any;
    expect(Object.hasOwn(obj.data, '__proto__')).toBe(true);
    expect(JSON.stringify(obj.data)).toContain('"__proto__":"p"');
  });

  it('embedded JSON nested past the bound is 400, never a stack overflow', () => {
    const deep = (d: number) => '{"a":'.repeat(d) + '1' + '}'.repeat(d);
    for (const depth of [1500, 50000]) {
      const e = apiError(() => decodeProtobuf(body('apps/v1', 'ControllerRevision', 'k8s.io.api.apps.v1.ControllerRevision', { metadata: { name: 'r' }, revision: 1, data: { raw: Buffer.from(deep(depth)) } })));
      expect(e.code).toBe(400);
    }
    expect(decodeProtobuf(body('apps/v1', 'ControllerRevision', 'k8s.io.api.apps.v1.ControllerRevision', { metadata: { name: 'r' }, revision: 1, data: { raw: Buffer.from(deep(100)) } })).data).toBeTruthy();
  });
});
