// The server's logger: kube's JSON line shape (--logging-format=json), -v gating, and the text
// format's plain lines; kube's httplog latency as Go prints a duration.
import { expect, it } from 'vitest';
import { goDuration } from '../../server/logging/httplog.js';
import { Logger } from '../../server/logging/logger.js';
import { loadConfig } from '../../server/config.js';
import { loadLbConfig } from '../../lb/config.js';

function capture(format: 'text' | 'json', verbosity: number) {
  const info: string[] = [];
  const error: string[] = [];
  const log = new Logger();
  log.configure({ format, verbosity, sinks: { info: (l) => info.push(l), error: (l) => error.push(l) } });
  return { log, info, error };
}

it('json: one object per line with ts (epoch ms), v, msg and the key/values; errors with err and no v', () => {
  const { log, info, error } = capture('json', 3);
  log.infoV(3, 'HTTP', { verb: 'GET', 'audit-ID': 'a1', traceID: 't1', resp: 200 });
  log.error('watch cache: feed failed', { revision: 7 }, new Error('boom'));
  expect(info).toHaveLength(1);
  const line = JSON.parse(info[0]);
  expect(Object.keys(line).slice(0, 3)).toEqual(['ts', 'v', 'msg']);
  expect(line).toEqual({ ts: expect.any(Number), v: 3, msg: 'HTTP', verb: 'GET', 'audit-ID': 'a1', traceID: 't1', resp: 200 });
  expect(Math.abs(line.ts - Date.now())).toBeLessThan(60_000);
  expect(JSON.parse(error[0])).toEqual({ ts: expect.any(Number), msg: 'watch cache: feed failed', err: 'boom', revision: 7 });
});

it('-v gates info lines: below the level nothing is written', () => {
  const { log, info } = capture('json', 2);
  log.infoV(3, 'HTTP', {});
  log.infoV(2, 'two', {});
  log.info('zero');
  expect(info.map((l) => JSON.parse(l).msg)).toEqual(['two', 'zero']);
  expect(log.enabled(3)).toBe(false);
});

it('text keeps the plain line, key/values after it', () => {
  const { log, info, error } = capture('text', 0);
  log.info('apiserver-1: serving on http://127.0.0.1:6443 (etcd x)');
  log.info('HTTP', { verb: 'GET', resp: 200 });
  log.error(new Error('bad'));
  expect(info).toEqual(['apiserver-1: serving on http://127.0.0.1:6443 (etcd x)', 'HTTP verb="GET" resp=200']);
  expect(error[0]).toMatch(/^Error: bad\n/);
});

it('the flags: --logging-format text|json (kube\'s message otherwise), -v and --v', () => {
  expect(loadConfig([], {})).toMatchObject({ loggingFormat: 'text', verbosity: 0 });
  expect(loadConfig(['--logging-format=json', '-v=4'], {})).toMatchObject({ loggingFormat: 'json', verbosity: 4 });
  expect(loadConfig(['-v', '2'], {}).verbosity).toBe(2);
  expect(loadConfig(['--v=5'], {}).verbosity).toBe(5);
  expect(() => loadConfig(['--logging-format=xml'], {})).toThrow('--logging-format: Unsupported value: "xml": supported values: "json", "text"');
  expect(loadConfig(['--tracing-config-file=/etc/tracing.yaml'], {}).tracingConfigFile).toBe('/etc/tracing.yaml');
});

it('the LB takes the same flags', () => {
  const lb = (args: string[]) => loadLbConfig(['--backends', 'http://a:1', ...args], {});
  expect(lb([])).toMatchObject({ loggingFormat: 'text', verbosity: 0 });
  expect(lb(['--logging-format=json', '-v=2', '--tracing-config-file', '/t.yaml'])).toMatchObject({ loggingFormat: 'json', verbosity: 2, tracingConfigFile: '/t.yaml' });
  expect(lb(['--v', '4']).verbosity).toBe(4);
  expect(() => lb(['--logging-format=xml'])).toThrow('--logging-format: Unsupported value: "xml"');
});

it('latency as Go prints a time.Duration', () => {
  expect(goDuration(1.5)).toBe('1.5ms');
  expect(goDuration(0.25)).toBe('250µs');
  expect(goDuration(2500)).toBe('2.5s');
});
