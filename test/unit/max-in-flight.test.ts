// The max-in-flight filter (kube's WithMaxInFlightLimit) on its own: which requests it counts, the two
// separate limits, 0 as no limit, system:masters past a full limit, and kube's 429.
import { describe, expect, it } from 'vitest';
import type { Exchange } from '../../server/http/exchange.js';
import { requestInfo } from '../../server/http/request-info.js';
import { MaxInFlight } from '../../server/filters/max-in-flight.js';

interface Answer { status: number; body: string; contentType: string; headers: Record<string, string> }

function exchange(method: string, path: string, query = '', groups = ['system:unauthenticated']) {
  const answers: Answer[] = [];
  const ex = {
    requestInfo: requestInfo(method, path, new URLSearchParams(query)),
    user: { name: 'someone', groups },
    send: (status: number, body: string, contentType: string, headers: Record<string, string>) => answers.push({ status, body, contentType, headers }),
  } as unknown as Exchange;
  return { ex, answers };
}

/** Runs a request through the filter; its handler holds it in flight until release() is called. */
function hold(f: MaxInFlight, method: string, path: string, query = '', groups?: string[]) {
  const { ex, answers } = exchange(method, path, query, groups);
  let release!: () => void;
  let passed = false;
  const held = new Promise<void>((r) => (release = r));
  const done = f.filter(ex, async () => {
    passed = true;
    await held;
  });
  return { answers, passed: () => passed, release, done };
}

const cm = '/api/v1/namespaces/default/configmaps';

describe('max in-flight', () => {
  it('refuses the read past --max-requests-inflight with kube\'s 429, counting reads and writes apart', async () => {
    const f = new MaxInFlight(2, 1);
    const reads = [hold(f, 'GET', cm), hold(f, 'GET', `${cm}/a`)];
    expect(reads.every((r) => r.passed())).toBe(true);
    expect(f.readOnly).toBe(2);

    const third = hold(f, 'GET', cm);
    expect(third.passed()).toBe(false);
    expect(third.answers).toEqual([{
      status: 429, body: 'Too many requests, please try again later.\n', contentType: 'text/plain; charset=utf-8',
      headers: { 'Retry-After': '1', 'X-Content-Type-Options': 'nosniff' },
    }]);

    // Writes have their own limit: the first passes though reads are full, the second is refused.
    const write = hold(f, 'POST', cm);
    expect(write.passed()).toBe(true);
    expect(f.mutating).toBe(1);
    for (const [method, path] of [['PUT', `${cm}/a`], ['PATCH', `${cm}/a`], ['DELETE', `${cm}/a`], ['DELETE', cm], ['POST', '/some/non-resource']]) {
      const refused = hold(f, method, path);
      expect(refused.passed(), `${method} ${path}`).toBe(false);
      expect(refused.answers[0]?.status).toBe(429);
    }

    // A slot comes free when its request is done.
    reads[0].release();
    await reads[0].done;
    expect(f.readOnly).toBe(1);
    expect(hold(f, 'GET', cm).passed()).toBe(true);
    write.release();
    await write.done;
    expect(f.mutating).toBe(0);
  });

  it('does not count long-running requests (watch, exec, log, proxy) nor kube\'s probe paths', () => {
    const f = new MaxInFlight(1, 1);
    hold(f, 'GET', cm);
    hold(f, 'POST', cm);
    for (const [method, path, query] of [
      ['GET', cm, 'watch=true'], ['GET', '/api/v1/watch/namespaces/default/configmaps', ''], ['GET', '/api/v1/namespaces/a/pods/p/log', ''],
      ['POST', '/api/v1/namespaces/a/pods/p/exec', ''], ['GET', '/api/v1/namespaces/a/services/s/proxy', ''],
      ['GET', '/livez', ''], ['GET', '/readyz', 'verbose'], ['GET', '/healthz', ''],
    ]) {
      const r = hold(f, method, path, query);
      expect(r.passed(), `${method} ${path}?${query}`).toBe(true);
      expect(r.answers).toEqual([]);
    }
    expect([f.readOnly, f.mutating]).toEqual([1, 1]);
    // Only the exact probe paths: a single check (/livez/etcd) is an ordinary read.
    expect(hold(f, 'GET', '/livez/etcd').answers[0]?.status).toBe(429);
  });

  it('lets system:masters through a full limit, uncounted, as kube does', () => {
    const f = new MaxInFlight(1, 1);
    const admin = ['system:masters', 'system:authenticated'];
    hold(f, 'GET', cm, '', admin); // below the limit a master takes a slot like anyone
    expect(f.readOnly).toBe(1);
    const past = hold(f, 'GET', cm, '', admin);
    expect(past.passed()).toBe(true);
    expect(f.readOnly).toBe(1);
    expect(hold(f, 'GET', cm).answers[0]?.status).toBe(429);
  });

  it('0 disables a limit', () => {
    const reads = new MaxInFlight(0, 1);
    for (let i = 0; i < 1000; i++) expect(hold(reads, 'GET', cm).passed()).toBe(true);
    hold(reads, 'POST', cm);
    expect(hold(reads, 'POST', cm).answers[0]?.status).toBe(429);
    const writes = new MaxInFlight(1, 0);
    for (let i = 0; i < 1000; i++) expect(hold(writes, 'POST', cm).passed()).toBe(true);
  });

  it('counts what kube reports as apiserver_current_inflight_requests', () => {
    const f = new MaxInFlight(5, 5);
    hold(f, 'GET', cm);
    hold(f, 'DELETE', `${cm}/a`);
    hold(f, 'GET', cm);
    expect(f.counts()).toEqual({ readOnly: 2, mutating: 1 });
  });
});
