// The handler chain's shape: filters run in the order listed (outermost first), kube's order, and
// the long-running check and duration parsing the timeout filter relies on.
import type { Security } from '../../server/security.js';
import { describe, expect, it } from 'vitest';
import type { Exchange } from '../../server/http/exchange.js';
import { requestInfo } from '../../server/http/request-info.js';
import { buildHandlerChain, type Filter } from '../../server/filters/chain.js';
import { defaultHandlerChain } from '../../server/filters/default-chain.js';
import { MaxInFlight } from '../../server/filters/max-in-flight.js';
import { parseGoDuration } from '../../server/filters/duration.js';
import { isLongRunning } from '../../server/filters/timeout.js';

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
});
