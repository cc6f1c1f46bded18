// The feed each instance's watch cache follows in the HA topology: the Redis stream while it can
// prove it continues, the instance's own etcd watch otherwise, and back to the stream once it can.
// Both sources are gap-free from the revision they are asked for, so switching is safe: every
// event at or below the revision already delivered is dropped, whichever source brings it.
import type { EventFeed, FeedBatch, FeedHandlers } from '../storage/cacher/feed.js';
import { logger } from '../logging/logger.js';

export type FanoutMode = 'redis' | 'etcd' | 'stopped';

export class FanoutFeed implements EventFeed {
  private mode: FanoutMode = 'stopped';
  private generation = 0;
  private last = 0;
  private handlers?: FeedHandlers;
  private probeTimer?: NodeJS.Timeout;
  private switches = 0;

  constructor(
    private readonly stream: EventFeed,
    private readonly etcd: EventFeed,
    private readonly probeIntervalMs: number,
    private readonly log: (line: string) => void = (line) => logger.error(line),
  ) {}

  /** Which source feeds the cache now. */
  currentMode(): FanoutMode {
    return this.mode;
  }

  /** How often the source changed (for metrics). */
  modeSwitches(): number {
    return this.switches;
  }

  async follow(afterRevision: number, handlers: FeedHandlers): Promise<void> {
    await this.stop();
    const generation = ++this.generation;
    this.last = afterRevision;
    this.handlers = handlers;
    const attempt = { failed: undefined as Error | undefined };
    try {
      await this.stream.follow(afterRevision, this.from('redis', generation, attempt));
      if (attempt.failed) throw attempt.failed;
      this.setMode('redis', 'following the fan-out stream');
    } catch (e) {
      await this.useEtcd(generation, `the fan-out stream cannot carry this instance (${(e as Error).message})`, true);
    }
  }

  async stop(): Promise<void> {
    this.generation++;
    this.mode = 'stopped';
    this.stopProbe();
    await Promise.all([this.stream.stop(), this.etcd.stop()]);
  }

  /** Handlers for one source; a stream failure before the switch to it completes is kept in `attempt`. */
  private from(source: 'redis' | 'etcd', generation: number, attempt?: { failed?: Error }): FeedHandlers {
    return {
      batch: (b) => {
        if (generation === this.generation) this.deliver(b);
      },
      error: (err) => {
        if (generation !== this.generation) return;
        if (this.mode !== source) {
          if (attempt) attempt.failed = err;
          return;
        }
        if (source === 'redis') void this.useEtcd(generation, err.message, false);
        else this.handlers?.error(err);
      },
    };
  }

  private deliver(b: FeedBatch): void {
    const events = b.events.filter((e) => e.modRevision > this.last);
    if (!events.length) return;
    const prevRevision = this.last;
    this.last = events[events.length - 1].modRevision;
    this.handlers!.batch({ events, prevRevision });
  }

  /** Falls back to this instance's own etcd watch; a failure there is the cache's to handle. */
  private async useEtcd(generation: number, why: string, rethrow: boolean): Promise<void> {
    await this.stream.stop();
    if (generation !== this.generation) return;
    this.setMode('etcd', why);
    try {
      await this.etcd.follow(this.last, this.from('etcd', generation));
    } catch (e) {
      if (rethrow) throw e;
      if (generation === this.generation) this.handlers?.error(e as Error);
      return;
    }
    this.startProbe(generation);
  }

  /** While on etcd: now and then, try the stream from where this feed is; switch once it proves whole. */
  private startProbe(generation: number): void {
    this.stopProbe();
    this.probeTimer = setInterval(() => {
      if (generation !== this.generation || this.mode !== 'etcd') return this.stopProbe();
      this.stopProbe();
      void (async () => {
        const attempt = { failed: undefined as Error | undefined };
        try {
          // Both run for a moment; deliver() drops what the other already brought.
          await this.stream.follow(this.last, this.from('redis', generation, attempt));
          if (attempt.failed) throw attempt.failed;
        } catch {
          await this.stream.stop();
          if (generation === this.generation && this.mode === 'etcd') this.startProbe(generation);
          return;
        }
        if (generation !== this.generation) return;
        this.setMode('redis', 'the fan-out stream continues from here again');
        await this.etcd.stop();
      })();
    }, this.probeIntervalMs);
    this.probeTimer.unref?.();
  }

  private stopProbe(): void {
    if (this.probeTimer) clearInterval(this.probeTimer);
    this.probeTimer = undefined;
  }

  private setMode(mode: FanoutMode, why: string): void {
    if (this.mode === mode) return;
    if (this.mode !== 'stopped') this.switches++;
    this.mode = mode;
    this.log(`watch feed: ${mode} (${why})`);
  }
}
