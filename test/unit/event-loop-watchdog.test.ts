// The event-loop watchdog with a clock the test moves: a late tick is a block, the check fails naming it
// for a window and then passes, and the request blamed is the one that ran before the stall, not those
// that queued up during it.
import { describe, expect, it } from 'vitest';
import { EventLoopWatchdog, eventLoopFailWindowMs, eventLoopTickMs, type WatchdogClock } from '../../server/health/event-loop.js';

/** Time moves only when the test says; advance() runs the ticks that come due, as an idle loop would. */
class FakeClock implements WatchdogClock {
  t = 1000;
  private ticks: { every: number; next: number; fn: () => void }[] = [];
  now(): number {
    return this.t;
  }
  every(ms: number, fn: () => void): () => void {
    const tick = { every: ms, next: this.t + ms, fn };
    this.ticks.push(tick);
    return () => (this.ticks = this.ticks.filter((x) => x !== tick));
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = this.ticks.filter((x) => x.next <= end).sort((a, b) => a.next - b.next)[0];
      if (!due) break;
      this.t = due.next;
      due.next += due.every;
      due.fn();
    }
    this.t = end;
  }
  /** The loop is stuck: time passes, no timer runs. */
  block(ms: number): void {
    this.t += ms;
  }
  /** The loop runs again: every overdue timer fires once, as Node's do, and reschedules from now. */
  resume(): void {
    for (const x of this.ticks.filter((x) => x.next <= this.t)) {
      x.next = this.t + x.every;
      x.fn();
    }
  }
}

const request = (path: string, user?: string) => ({ method: 'GET', path, user: user ? { name: user } : undefined });

async function checkResult(w: EventLoopWatchdog): Promise<string> {
  try {
    await w.check().check();
    return 'ok';
  } catch (e) {
    return (e as Error).message;
  }
}

describe('event-loop watchdog', () => {
  it('sees a block from the late tick, fails its check naming the request, and recovers after the window', async () => {
    const clock = new FakeClock();
    const logs: string[] = [];
    const w = new EventLoopWatchdog(5000, (l) => logs.push(l), clock);
    w.start();
    expect(w.check().name).toBe('event-loop');
    clock.advance(3000);
    expect(await checkResult(w)).toBe('ok');

    w.running(request('/api/v1/namespaces/default/configmaps', 'jane'));
    clock.block(6000);
    // A probe served before the late tick already fails: the tick is overdue.
    expect(await checkResult(w)).toMatch(/^the event loop ran no timer for 6\.\ds$/);
    // Requests that arrived during the block run first; they are not the blocker.
    w.running(request('/api/v1/namespaces/default/secrets', 'bob'));
    w.running(request('/livez'));
    clock.resume();
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/^event loop blocked for 5\.\ds; last request running before it: GET \/api\/v1\/namespaces\/default\/configmaps user "jane"$/);
    expect(await checkResult(w)).toMatch(/^the event loop was blocked for 5\.\ds, 0\.0s ago; last request running before it: GET \/api\/v1\/namespaces\/default\/configmaps user "jane"$/);

    // Still failing just inside the window, healthy once it has passed with no new block.
    clock.advance(eventLoopFailWindowMs - eventLoopTickMs);
    expect(await checkResult(w)).toMatch(/was blocked for/);
    clock.advance(eventLoopTickMs);
    expect(await checkResult(w)).toBe('ok');
    expect(logs).toHaveLength(1);
    w.stop();
  });

  it('a block shorter than the threshold is nothing; one past it with no request names none', async () => {
    const clock = new FakeClock();
    const logs: string[] = [];
    const w = new EventLoopWatchdog(5000, (l) => logs.push(l), clock);
    w.start();
    w.running(request('/api'));
    clock.block(4000);
    w.running(request('/apis'));
    clock.resume();
    expect(logs).toEqual([]);
    expect(await checkResult(w)).toBe('ok');

    const idle = new EventLoopWatchdog(5000, (l) => logs.push(l), clock);
    idle.start();
    clock.block(7000);
    clock.resume();
    expect(logs.at(-1)).toMatch(/^event loop blocked for 6\.\ds; no request had run before it$/);
  });

  it('a loop that blocks again within the window stays failed; the latest block is reported', async () => {
    const clock = new FakeClock();
    const logs: string[] = [];
    const w = new EventLoopWatchdog(2000, (l) => logs.push(l), clock);
    w.start();
    for (const path of ['/a', '/b', '/c']) {
      w.running(request(path));
      clock.block(3000);
      clock.resume();
      clock.advance(eventLoopFailWindowMs / 2);
      expect(await checkResult(w)).toContain(`GET ${path}`);
    }
    expect(logs).toHaveLength(3);
  });

  it('stops ticking when stopped', () => {
    const clock = new FakeClock();
    const logs: string[] = [];
    const w = new EventLoopWatchdog(1000, (l) => logs.push(l), clock);
    w.start();
    w.stop();
    clock.block(5000);
    clock.resume();
    expect(logs).toEqual([]);
  });
});
