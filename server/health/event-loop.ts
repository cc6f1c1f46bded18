// The event-loop watchdog: a loop blocked past --event-loop-block-threshold fails the `event-loop` check of
// /livez and /readyz for a while, and the log names the request whose code was running when it blocked.
//
// A blocked loop runs no timer, so the block is seen afterwards: a timer ticks every tickMs and a tick
// that comes late by the threshold or more is a block. Requests report where their code starts running
// (running()); the first report that finds a tick overdue keeps the request reported before it as the
// suspect, so requests that queued up during the block and ran before the late tick are not blamed.
import type { HealthCheck } from './checks.js';
import { logger } from '../logging/logger.js';

/** What the watchdog needs to know of a request to name it (an Exchange is one). */
export interface RunningRequest {
  readonly method: string;
  readonly path: string;
  readonly user?: { name: string };
}

export interface WatchdogClock {
  /** Milliseconds on a monotonic clock. */
  now(): number;
  /** Calls tick every ms until the returned function is called. */
  every(ms: number, tick: () => void): () => void;
}

const realClock: WatchdogClock = {
  now: () => performance.now(),
  every(ms, tick) {
    const timer = setInterval(tick, ms);
    timer.unref(); // the watchdog alone must not keep a stopping process alive
    return () => clearInterval(timer);
  },
};

/** How often the timer ticks: a block is measured to within this much. */
export const eventLoopTickMs = 500;
/**
 * How long the check fails after the last block ended: longer than the LB's health polls (250 ms) so
 * it takes the instance out, shorter than a kubelet liveness probe's default 3 x 10 s so one spike is no
 * restart; a loop that blocks again within it never passes, and a loop stuck for good answers nothing.
 */
export const eventLoopFailWindowMs = 10_000;

interface Block {
  endedAt: number;
  blockedMs: number;
  request?: RunningRequest;
}

export class EventLoopWatchdog {
  private lastTick: number;
  private lastRunning?: RunningRequest;
  /** The request that ran last before the loop stalled, once a report found a tick overdue. */
  private suspect?: RunningRequest;
  private lastBlock?: Block;
  private stopTicking?: () => void;

  constructor(
    readonly thresholdMs: number,
    private readonly log: (line: string) => void = (line) => logger.error(line),
    private readonly clock: WatchdogClock = realClock,
  ) {
    this.lastTick = clock.now();
  }

  start(): void {
    if (this.stopTicking) return;
    this.lastTick = this.clock.now();
    this.stopTicking = this.clock.every(eventLoopTickMs, () => this.tick());
  }

  stop(): void {
    this.stopTicking?.();
    this.stopTicking = undefined;
  }

  /** A request's code starts running now (it arrived, passed a filter, got its body, encodes its answer). */
  running(request: RunningRequest): void {
    if (request === this.lastRunning) return; // the same request's next stage: no clock read needed
    if (!this.suspect && this.lastRunning && this.overdue(this.clock.now())) this.suspect = this.lastRunning;
    this.lastRunning = request;
  }

  tick(): void {
    const now = this.clock.now();
    if (this.overdue(now)) {
      const request = this.suspect ?? this.lastRunning;
      this.lastBlock = { endedAt: now, blockedMs: now - this.lastTick - eventLoopTickMs, request };
      this.log(`event loop blocked for ${seconds(this.lastBlock.blockedMs)}; ${describe(request)}`);
    }
    this.suspect = undefined;
    this.lastTick = now;
  }

  /** The `event-loop` health check: fails while a tick is overdue and for eventLoopFailWindowMs after a block. */
  check(): HealthCheck {
    return {
      name: 'event-loop',
      check: async () => {
        const now = this.clock.now();
        // A probe can be served before the late tick has run: the overdue tick is the block itself.
        if (this.overdue(now)) throw new Error(`the event loop ran no timer for ${seconds(now - this.lastTick)}`);
        const b = this.lastBlock;
        if (b && now - b.endedAt < eventLoopFailWindowMs) {
          throw new Error(`the event loop was blocked for ${seconds(b.blockedMs)}, ${seconds(now - b.endedAt)} ago; ${describe(b.request)}`);
        }
      },
    };
  }

  private overdue(now: number): boolean {
    return now - this.lastTick - eventLoopTickMs >= this.thresholdMs;
  }
}

function describe(r: RunningRequest | undefined): string {
  if (!r) return 'no request had run before it';
  // The last request whose code ran before the stall: the blocker, unless the block was outside any request.
  return `last request running before it: ${r.method} ${r.path}${r.user ? ` user "${r.user.name}"` : ''}`;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)}s`;
}
