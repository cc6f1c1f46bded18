import { describe, expect, it } from 'vitest';
import { BackendPool, watchLoad } from '../../lb/balancer/pool.js';
import { mayRetry, neverReached } from '../../lb/proxy/retry.js';
import { LatencyWindow, RateWindow } from '../../lb/stats/latency.js';

const urls = ['http://127.0.0.1:1', 'http://127.0.0.1:2', 'http://127.0.0.1:3'].map((u) => new URL(u));

describe('least outstanding requests', () => {
  it('picks the healthy backend with the fewest in flight, round-robin among equals', () => {
    const pool = new BackendPool(urls);
    expect(pool.pick()).toBeUndefined();
    for (const b of pool.backends) pool.pass(b, 1);
    const [a, b, c] = pool.backends;
    expect(new Set([pool.pick(), pool.pick(), pool.pick()])).toEqual(new Set([a, b, c]));
    a.inFlight = 2;
    b.inFlight = 1;
    c.inFlight = 3;
    for (let i = 0; i < 5; i++) expect(pool.pick()).toBe(b);
    expect(pool.pick(new Set([b]))).toBe(a);
    pool.close();
  });

  it('skips ejected backends and brings them back after the healthy threshold', () => {
    const pool = new BackendPool(urls);
    const joined: string[] = [];
    pool.on('join', (b) => joined.push(b.name));
    for (const b of pool.backends) pool.pass(b, 1);
    const [a, b, c] = pool.backends;
    pool.eject(a, 'test');
    pool.eject(b, 'test');
    for (let i = 0; i < 4; i++) expect(pool.pick()).toBe(c);
    pool.pass(a, 2);
    expect(a.state).toBe('ejected');
    pool.pass(a, 2);
    expect(a.state).toBe('healthy');
    expect(joined).toEqual(['127.0.0.1:1', '127.0.0.1:2', '127.0.0.1:3', '127.0.0.1:1']);
    pool.close();
  });

  it('when none is healthy, falls back to those ejected only for a slow /readyz', () => {
    const pool = new BackendPool(urls);
    for (const b of pool.backends) pool.pass(b, 1);
    const [a, b, c] = pool.backends;
    pool.eject(a, 'connect: ECONNREFUSED');
    pool.eject(b, 'slow', true);
    expect(pool.pick()).toBe(c);
    pool.eject(c, '/readyz answered 500');
    for (let i = 0; i < 3; i++) expect(pool.pick()).toBe(b);
    pool.eject(b, 'connect: ECONNREFUSED');
    expect(pool.pick()).toBeUndefined();
    pool.close();
  });

  it('watches go where the fewest watches are', () => {
    const pool = new BackendPool(urls);
    for (const b of pool.backends) pool.pass(b, 1);
    const [a, b, c] = pool.backends;
    a.openWatches = 5;
    b.openWatches = 1;
    c.openWatches = 3;
    expect(pool.pick(undefined, watchLoad)).toBe(b);
    pool.close();
  });
});

describe('what is retried', () => {
  const err = (code: string) => Object.assign(new Error(code), { code });
  it('anything that never reached an instance', () => {
    expect(mayRetry('POST', false, { error: err('ECONNREFUSED'), connected: false, bytesWritten: 0 })).toBe(true);
    expect(mayRetry('DELETE', true, { error: err('ECONNRESET'), connected: true, bytesWritten: 0 })).toBe(true);
  });
  it('reads, when no body has been consumed', () => {
    expect(mayRetry('GET', false, { error: err('ECONNRESET'), connected: true, bytesWritten: 120 })).toBe(true);
    expect(mayRetry('HEAD', false, { error: err('ECONNRESET'), connected: true, bytesWritten: 120 })).toBe(true);
  });
  it('never a write that may have reached an instance', () => {
    for (const m of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expect(mayRetry(m, true, { error: err('ECONNRESET'), connected: true, bytesWritten: 300 })).toBe(false);
      expect(mayRetry(m, false, { error: err('ECONNRESET'), connected: true, bytesWritten: 120 })).toBe(false);
    }
    expect(neverReached({ error: err('EPIPE'), connected: true, bytesWritten: 1 })).toBe(false);
  });
});

describe('figures', () => {
  it('latency percentiles by nearest rank over the recent window', () => {
    const w = new LatencyWindow(100);
    expect(w.percentiles()).toBeNull();
    for (let i = 1; i <= 100; i++) w.record(i);
    expect(w.percentiles()).toEqual({ p50: 50, p90: 90, p99: 99 });
    for (let i = 0; i < 100; i++) w.record(1000);
    expect(w.percentiles()).toEqual({ p50: 1000, p90: 1000, p99: 1000 });
  });
  it('request rate over the last full seconds', () => {
    const r = new RateWindow(10);
    const t0 = 1_000_000_000;
    for (let s = 0; s < 9; s++) for (let i = 0; i < 10; i++) r.mark(t0 + s * 1000);
    expect(r.perSecond(t0 + 9000)).toBe(10);
    expect(r.perSecond(t0 + 30_000)).toBe(0);
  });
});
