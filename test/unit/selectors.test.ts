import { describe, expect, it } from 'vitest';
import { ApiError } from '../../server/api/errors.js';
import { parseFieldSelector } from '../../server/selectors/fields.js';
import { labelSelectorFromObject, parseLabelSelector } from '../../server/selectors/labels.js';
import { fastestMs, linearBoundMs } from '../support/timing.js';

describe('label selectors', () => {
  const labels = { app: 'web', tier: 'front', env: 'prod' };
  it.each([
    ['app=web', true], ['app==web', true], ['app!=web', false], ['app!=db', true],
    ['tier in (front,back)', true], ['tier notin (front)', false], ['tier notin (back)', true],
    ['app', true], ['!app', false], ['!missing', true], ['missing', false], ['missing!=x', true],
    ['app=web,env=prod', true], ['app=web,env=dev', false], ['', true],
  ])('%s -> %s', (sel, want) => {
    expect(parseLabelSelector(sel).matches(labels)).toBe(want);
  });
  it.each(['app=(', 'a b c', '=x', 'app in front'])('rejects %s with 400', (sel) => {
    try {
      parseLabelSelector(sel);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ApiError);
      expect((e as ApiError).code).toBe(400);
    }
  });
  it('turns metav1.LabelSelector into a matcher', () => {
    const sel = labelSelectorFromObject({ matchLabels: { app: 'web' }, matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }, { key: 'gone', operator: 'DoesNotExist' }] });
    expect(sel.matches(labels)).toBe(true);
    expect(sel.matches({ app: 'web', env: 'dev' })).toBe(false);
  });
});

describe('field selectors', () => {
  const obj = { metadata: { name: 'a', namespace: 'ns1' }, status: { phase: 'Running' } };
  const getters = { 'status.phase': (o: any) => o.status?.phase };
  it('matches metadata and per-type fields', () => {
    expect(parseFieldSelector('metadata.name=a', undefined, 'Pod', 'v1').matches(obj as any)).toBe(true);
    expect(parseFieldSelector('metadata.namespace!=ns1', undefined, 'Pod', 'v1').matches(obj as any)).toBe(false);
    expect(parseFieldSelector('status.phase=Running,metadata.name==a', getters, 'Pod', 'v1').matches(obj as any)).toBe(true);
  });
  it('rejects unsupported fields with 400', () => {
    expect(() => parseFieldSelector('spec.foo=x', getters, 'Pod', 'v1')).toThrow(/field label not supported: spec.foo/);
  });

  it('splits and unescapes as kube\'s fields.ParseSelector: escaped commas, the first operator, go\'s errors', () => {
    const reqs = (t: string) => parseFieldSelector(t, getters, 'Pod', 'v1').requirements;
    expect(reqs('metadata.name=a\\,b\\=c\\\\,status.phase!=x')).toEqual([
      { field: 'metadata.name', op: '=', value: 'a,b=c\\' }, { field: 'status.phase', op: '!=', value: 'x' },
    ]);
    expect(reqs('metadata.name==a,,')).toEqual([{ field: 'metadata.name', op: '=', value: 'a' }]);
    const bad = (t: string) => { try { reqs(t); } catch (e) { return (e as Error).message; } return 'accepted'; };
    expect(bad('metadata.name')).toBe("invalid selector: 'metadata.name'; can't understand 'metadata.name'");
    expect(bad('metadata.name=a=b')).toBe('invalid field selector: unescaped character in value: 61');
    expect(bad('metadata.name=a\\x')).toBe('invalid field selector: invalid escape sequence: \\x');
    expect(bad('metadata.name=a\\')).toBe('invalid field selector: invalid escape sequence: \\');
    expect(bad('metadata.name =a')).toBe('field label not supported: metadata.name ');
  });

  it('parses in linear time: no selector holds the event loop', () => {
    for (const text of ['a' + ' '.repeat(100_000) + 'x', '!'.repeat(100_000), 'metadata.name=' + '\\,'.repeat(50_000), ','.repeat(100_000) + 'x']) {
      const ms = fastestMs(() => {
        try { parseFieldSelector(text, getters, 'Pod', 'v1'); } catch { /* 400 is fine */ }
      });
      expect([text.slice(0, 4), Math.round(ms)]).toEqual([text.slice(0, 4), expect.toSatisfy((m: number) => m < linearBoundMs)]);
    }
  });
});
