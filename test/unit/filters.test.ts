// The handler chain's shape: filters run in the order listed (outermost first), kube's order, and
// the long-running check and duration parsing the timeout filter relies on.
import type { Security } from '../../server/security.js';
import { describe, expect, it } from 'vitest';
import type { Exchange } from '../../server/http/exchange.js';
import { requestInfo } from '../../server/http/request-info.js';
import { buildHandlerChain, type Filter } from '../../server/filters/chain.js';
import { defaultHandlerChain } from '../../server/filters/default-chain.js';
import { MaxInFlight } from '../../server/filters/max-in-flight.js';
import { parseDuration, parseGoDuration } from '../../server/filters/duration.js';
import { isLongRunning } from '../../server/filters/timeout.js';
import { fastestMs, linearBoundMs } from '../support/timing.js';

describe('handler chain', () => {
  it('runs filters outermost first, then the handler, and lets a filter answer without calling next', async () => {
    const seen: string[] = [];
    const trace = (name: string): Filter => ({ name, filter: async (_ex, next) => { seen.push(`>${name}`); await next(); seen.push(`<${name}`); } });
    const chain = buildHandlerChain([trace('a'), trace('b')], async () => { seen.push('handler'); });
    await chain({} as Exchange);
    expect(seen).toEqual(['>a', '>b', 'handler', '<b', '<a']);

    const stop: Filter = { name: 'stop', filter: async () => { seen.push('stop'); } };
    seen.length = 0;
    await buildHandlerChain([trace('a'), stop, trace('b')], async () => { seen.push('handler'); })({} as Exchange);
    expect(seen).toEqual(['>a', 'stop', '<a']);
  });

  it('is kube-apiserver\'s order: request id, panic recovery, request info, timeout, then the security slots, max-in-flight where APF would be', () => {
    const settings = { requestTimeoutSeconds: 60, maxInFlight: new MaxInFlight(400, 200) };
    expect(defaultHandlerChain(settings, { auditor: { enabled: false } } as unknown as Security).map((f) => f.name)).toEqual([
      'request-id', 'panic-recovery', 'request-info', 'timeout',
      // max-in-flight in priority and fairness's place: kube's chain with APF off
      'authentication', 'audit', 'impersonation', 'max-in-flight', 'authorization',
    ]);
  });
});

describe('long-running requests (no request timeout)', () => {
  const info = (method: string, path: string, query = '') => requestInfo(method, path, new URLSearchParams(query));
  it('watch, proxy and the streaming subresources are long-running; the rest is not', () => {
    expect(isLongRunning(info('GET', '/api/v1/namespaces/a/configmaps', 'watch=true'))).toBe(true);
    expect(isLongRunning(info('GET', '/api/v1/watch/namespaces/a/configmaps'))).toBe(true);
    expect(isLongRunning(info('GET', '/api/v1/namespaces/a/pods/p/log'))).toBe(true);
    expect(isLongRunning(info('POST', '/api/v1/namespaces/a/pods/p/exec'))).toBe(true);
    expect(isLongRunning(info('GET', '/api/v1/namespaces/a/configmaps'))).toBe(false);
    expect(isLongRunning(info('GET', '/api/v1/namespaces/a/pods/p/status'))).toBe(false);
    expect(isLongRunning(info('GET', '/readyz'))).toBe(false);
  });
});

describe('Go durations (?timeout=)', () => {
  it('parses what time.ParseDuration accepts, in milliseconds, and refuses the rest', () => {
    expect(parseGoDuration('0')).toBe(0);
    expect(parseGoDuration('32s')).toBe(32000);
    expect(parseGoDuration('1m30s')).toBe(90000);
    expect(parseGoDuration('1.5h')).toBe(5400000);
    expect(parseGoDuration('300ms')).toBe(300);
    expect(parseGoDuration('-1s')).toBe(-1000);
    for (const bad of ['', 'abc', '5', '1x', 's', '1s2', ' 1s']) expect(parseGoDuration(bad)).toBeUndefined();
  });

  // Go's own table (src/time/time_test.go), exact to the nanosecond.
  it('matches time.ParseDuration on Go\'s test table, overflow and fractions included', () => {
    const S = 1_000_000_000n;
    const ok: Array<[string, bigint]> = [
      ['0', 0n], ['5s', 5n * S], ['30s', 30n * S], ['1478s', 1478n * S], ['-5s', -5n * S], ['+5s', 5n * S], ['-0', 0n], ['+0', 0n],
      ['5.0s', 5n * S], ['5.6s', 5_600_000_000n], ['5.s', 5n * S], ['.5s', 500_000_000n], ['1.0s', S], ['1.00s', S], ['1.004s', 1_004_000_000n],
      ['1.0040s', 1_004_000_000n], ['100.00100s', 100_001_000_000n], ['10ns', 10n], ['11us', 11_000n], ['12µs', 12_000n], ['12μs', 12_000n],
      ['13ms', 13_000_000n], ['14s', 14n * S], ['15m', 900n * S], ['16h', 57_600n * S], ['3h30m', 12_600n * S], ['10.5s4m', 250_500_000_000n],
      ['-2m3.4s', -123_400_000_000n], ['1h2m3s4ms5us6ns', 3_723_004_005_006n], ['39h9m14.425s', 140_954_425_000_000n], ['52763797000ns', 52763797000n],
      ['0.3333333333333333333h', 1200n * S], ['9007199254740993ns', 9007199254740993n], ['9223372036854775807ns', (1n << 63n) - 1n],
      ['9223372036854775.807us', (1n << 63n) - 1n], ['9223372036s854ms775us807ns', (1n << 63n) - 1n], ['-9223372036854775808ns', -(1n << 63n)],
      ['-9223372036854775.808us', -(1n << 63n)], ['-9223372036s854ms775us808ns', -(1n << 63n)], ['-2562047h47m16.854775808s', -(1n << 63n)],
      ['0.100000000000000000000h', 360n * S], ['0.830103483285477580700h', 2_988_372_539_827n],
    ];
    for (const [text, ns] of ok) expect([text, parseDuration(text).ns]).toEqual([text, ns]);
    const bad: Array<[string, string]> = [
      ['', 'time: invalid duration ""'], ['3', 'time: missing unit in duration "3"'], ['-', 'time: invalid duration "-"'], ['s', 'time: invalid duration "s"'],
      ['.', 'time: invalid duration "."'], ['-.', 'time: invalid duration "-."'], ['.s', 'time: invalid duration ".s"'], ['+.s', 'time: invalid duration "+.s"'],
      ['1d', 'time: unknown unit "d" in duration "1d"'], ['\uFFFD', 'time: invalid duration "\\xef\\xbf\\xbd"'],
      ['1\uFFFD hello "x"', 'time: unknown unit "\\xef\\xbf\\xbd hello \\"x\\"" in duration "1\\xef\\xbf\\xbd hello \\"x\\""'],
      ['9223372036854775810ns', 'time: invalid duration "9223372036854775810ns"'], ['9223372036854775808ns', 'time: invalid duration "9223372036854775808ns"'],
      ['-9223372036854775809ns', 'time: invalid duration "-9223372036854775809ns"'], ['9223372036854776us', 'time: invalid duration "9223372036854776us"'],
      ['3000000h', 'time: invalid duration "3000000h"'], ['9223372036854775.808us', 'time: invalid duration "9223372036854775.808us"'],
      ['9223372036854ms775us808ns', 'time: invalid duration "9223372036854ms775us808ns"'], ['1s2', 'time: missing unit in duration "1s2"'],
      ['constructor', 'time: invalid duration "constructor"'], ['1constructor', 'time: unknown unit "constructor" in duration "1constructor"'],
    ];
    for (const [text, error] of bad) expect([text, parseDuration(text).error]).toEqual([text, error]);
  });

  // The filter runs before authentication: `11s` repeated made the old regex backtrack 2^n ways.
  it('answers in linear time: no input holds the event loop', () => {
    // 11s×26 took the old regex about 20 s; linear work on 20 KB is well under a millisecond.
    for (const text of ['11s'.repeat(26) + 'x', '1'.repeat(20_000) + 's', '1.'.repeat(10_000) + 'x', '1s'.repeat(10_000) + 'x', '1.1'.repeat(7_000), '.1µs'.repeat(5_000) + 'x']) {
      expect(parseGoDuration(text)).toBeUndefined();
      const ms = fastestMs(() => parseGoDuration(text));
      expect([text.slice(0, 8), text.length, Math.round(ms)]).toEqual([text.slice(0, 8), text.length, expect.toSatisfy((m: number) => m < linearBoundMs)]);
    }
  });
});
