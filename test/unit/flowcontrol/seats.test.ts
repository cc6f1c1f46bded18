// Seats: each priority level's share of the server's concurrency (kube's nominal, lower and upper
// limits, and the reallocation by demand), how many seats a request takes, and how a level's queues
// admit, queue, refuse and serve flows fairly.
import { describe, expect, it } from 'vitest';
import { allocateConcurrency, seatLimits } from '../../../server/flowcontrol/concurrency.js';
import { FlowControl } from '../../../server/flowcontrol/controller.js';
import { QueueSet, type Admission } from '../../../server/flowcontrol/queue-set.js';
import { hashFlowID } from '../../../server/flowcontrol/shuffle-sharding.js';
import { estimateSeats, levelMaxSeats } from '../../../server/flowcontrol/work-estimate.js';
import { requestInfo } from '../../../server/http/request-info.js';
import { mandatoryPriorityLevels, suggestedPriorityLevels } from '../../../server/resources/flowcontrol/bootstrap-configuration.js';

const levels = [...mandatoryPriorityLevels, ...suggestedPriorityLevels];

describe('seat limits', () => {
  it('shares kube\'s default 600 seats as kube-apiserver 1.35 reports them', () => {
    const sum = 245; // the shares of kube's eight levels
    const limits: Record<string, ReturnType<typeof seatLimits>> = Object.fromEntries(levels.map((p) => [p.metadata.name, seatLimits(600, p.spec, sum)]));
    expect(Object.fromEntries(Object.entries(limits).map(([n, l]) => [n, l.nominal]))).toEqual({
      'catch-all': 13, exempt: 0, system: 74, 'node-high': 98, 'leader-election': 25, 'workload-high': 98, 'workload-low': 245, 'global-default': 49,
    });
    // lendablePercent takes from the lower limit; no borrowingLimitPercent lets a level borrow the whole server.
    expect(limits.system).toEqual({ nominal: 74, lower: 50, upper: 674, initial: 62 });
    expect(limits['workload-low']).toEqual({ nominal: 245, lower: 24, upper: 845, initial: 135 });
    expect(seatLimits(600, { type: 'Limited', limited: { nominalConcurrencyShares: 10, lendablePercent: 0, borrowingLimitPercent: 50 } }, 100))
      .toEqual({ nominal: 60, lower: 60, upper: 90, initial: 60 });
  });

  it('reallocates by demand within each level\'s bounds, summing to what is required', () => {
    const items = [{ lowerBound: 10, upperBound: 100, target: 50 }, { lowerBound: 5, upperBound: 20, target: 80 }, { lowerBound: 0, upperBound: 100, target: 0 }];
    const allocs = allocateConcurrency(90, items);
    expect(allocs.reduce((a, b) => a + b, 0)).toBeCloseTo(90, 6);
    expect(allocs[1]).toBeCloseTo(20, 6); // capped at its upper bound
    expect(allocs[0]).toBeGreaterThan(allocs[2]);
    expect(allocateConcurrency(10, items)).toEqual([10, 5, 0]); // below the lower bounds' sum: the lower bounds
  });

  it('lends an idle level\'s lendable seats to a busy one', () => {
    const fc = new FlowControl(100);
    fc.configure([], [
      { metadata: { name: 'busy' }, spec: { type: 'Limited', limited: { nominalConcurrencyShares: 50, lendablePercent: 0, limitResponse: { type: 'Reject' } } } },
      { metadata: { name: 'idle' }, spec: { type: 'Limited', limited: { nominalConcurrencyShares: 45, lendablePercent: 100, limitResponse: { type: 'Reject' } } } },
    ]);
    const busy = fc.levels.get('busy')!;
    expect(busy.currentLimit).toBe(50);
    const held: Admission[] = [];
    for (let i = 0; i < 50; i++) held.push(busy.queueSet.start(1n, 1, 1000) as Admission);
    expect(held.every((a) => a.dispatched)).toBe(true);
    expect((busy.queueSet.start(1n, 1, 1000) as Admission).dispatched).toBe(false);
    fc.adjustBorrowing();
    expect(busy.currentLimit).toBeGreaterThan(50);
    expect(fc.levels.get('idle')!.currentLimit).toBeLessThan(45);
    expect((busy.queueSet.start(1n, 1, 1000) as Admission).dispatched).toBe(true);
  });
});

describe('work estimate', () => {
  const q = (s = '') => new URLSearchParams(s);
  const info = (path: string, method = 'GET', query = '') => requestInfo(method, path, q(query));
  it('charges a LIST by the bytes it loads, within the level\'s cap', () => {
    const many = { count: 10_000, averageSizeBytes: 1_000 };
    expect(estimateSeats(info('/api/v1/pods'), q(), many, 0)).toBe(10); // 10 MB, counted as 1 MB from the cache
    expect(estimateSeats(info('/api/v1/pods'), q(), many, 4)).toBe(4);
    expect(estimateSeats(info('/api/v1/pods'), q('limit=50'), many, 0)).toBe(1);
    expect(estimateSeats(info('/api/v1/pods'), q('resourceVersion=5&resourceVersionMatch=Exact'), many, 0)).toBe(100); // from etcd: not capped at 1 MB
    expect(estimateSeats(info('/api/v1/pods'), q(), { count: 300, averageSizeBytes: 1_000 }, 0)).toBe(3);
    expect(estimateSeats(info('/api/v1/pods'), q(), undefined, 0)).toBe(1);
    expect(estimateSeats(info('/api/v1/namespaces/a/pods/p'), q(), many, 0)).toBe(1);
    expect(estimateSeats(info('/api/v1/pods', 'POST'), q(), many, 0)).toBe(1);
  });

  it('charges a watch for its initial events only when it asks for them', () => {
    const many = { count: 10_000, averageSizeBytes: 1_000 };
    const watch = (query: string) => estimateSeats(info('/api/v1/pods', 'GET', query), q(query), many, 0);
    expect(watch('watch=true&resourceVersion=42')).toBe(1);
    expect(watch('watch=true')).toBe(10);
    expect(watch('watch=true&resourceVersion=42&sendInitialEvents=true')).toBe(10);
  });

  it('caps a level at 15% of its nominal seats or nominal / handSize', () => {
    expect(levelMaxSeats(49, 6)).toBe(8);
    expect(levelMaxSeats(245, 6)).toBe(37);
    expect(levelMaxSeats(3, 6)).toBe(1);
    expect(levelMaxSeats(13, undefined)).toBe(0);
  });
});

describe('queue set', () => {
  it('Reject: admits up to the limit, refuses the rest at once, a wide request alone', () => {
    const qs = new QueueSet(2, undefined);
    const a = qs.start(1n, 1, 1000) as Admission;
    const b = qs.start(2n, 1, 1000) as Admission;
    expect([a.dispatched, b.dispatched]).toEqual([true, true]);
    expect(qs.start(3n, 1, 1000)).toEqual({ dispatched: false, reason: 'concurrency-limit', queued: false });
    if (a.dispatched) a.release();
    if (b.dispatched) b.release();
    const wide = qs.start(3n, 5, 1000) as Admission; // wider than the limit: goes when nothing else runs
    expect(wide.dispatched).toBe(true);
    expect((qs.start(3n, 1, 1000) as Admission).dispatched).toBe(false);
  });

  it('Queue: waits, refuses a full queue, gives up at the wait limit, serves flows in turn', async () => {
    const qs = new QueueSet(1, { queues: 8, handSize: 2, queueLengthLimit: 3 });
    const first = qs.start(hashFlowID('fs', 'heavy'), 1, 5000) as Admission;
    expect(first.dispatched).toBe(true);
    // The heavy flow fills the queues of its hand (two queues of 3), then is refused as full.
    const waiting: Array<{ who: string; p: Promise<Admission> }> = [];
    const refusals: Admission[] = [];
    for (let i = 0; i < 8; i++) {
      const r = qs.start(hashFlowID('fs', 'heavy'), 1, 5000);
      if (r instanceof Promise) waiting.push({ who: 'heavy', p: r });
      else refusals.push(r);
    }
    expect(waiting.length).toBe(6);
    expect(refusals).toEqual([{ dispatched: false, reason: 'queue-full', queued: false }, { dispatched: false, reason: 'queue-full', queued: false }]);
    const light = qs.start(hashFlowID('fs', 'light'), 1, 5000);
    expect(light).toBeInstanceOf(Promise);
    waiting.push({ who: 'light', p: light as Promise<Admission> });
    // Each request, once dispatched, finishes at once: the order they ran in is the fair-queuing order.
    const order: string[] = [];
    for (const w of waiting) void w.p.then((a) => { order.push(w.who); if (a.dispatched) a.release(); });
    if (first.dispatched) first.release();
    await Promise.all(waiting.map((w) => w.p));
    // First in, first out would run it last, behind six; its own queue's turn comes by the second.
    expect(order.indexOf('light')).toBeLessThanOrEqual(1);
    expect(order.length).toBe(7);

    const timed = new QueueSet(1, { queues: 1, handSize: 1, queueLengthLimit: 5 });
    expect((timed.start(1n, 1, 10) as Admission).dispatched).toBe(true);
    expect(await timed.start(1n, 1, 10)).toEqual({ dispatched: false, reason: 'time-out', queued: true });
    let cancel!: () => void;
    const cancelled = timed.start(1n, 1, 5000, (c) => (cancel = c));
    cancel();
    expect(await cancelled).toEqual({ dispatched: false, reason: 'cancelled', queued: true });
    expect(timed.requestsWaiting).toBe(0);
  });
});
