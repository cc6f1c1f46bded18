// The fan-out publisher: the one instance elected through an etcd lease tails etcd (one watch for
// the whole control plane) and republishes every batch, in revision order, to the Redis stream,
// each entry naming the revision before it. Every instance campaigns; when the publisher dies its
// lease expires and another takes over, continuing from the stream's last entry so the chain holds.
import type { Etcd3 } from 'etcd3';
import type { Redis } from 'ioredis';
import type { EventFeed, FeedBatch } from '../storage/cacher/feed.js';
import { entryId, entryRevision, type FanoutOptions, heartbeatKey, streamKey } from './options.js';
import { encodeEvents } from './wire.js';

/** Where the publisher's election lives: under /registry/, so the revisions it makes reach every cache. */
export const electionNamespace = '/registry/kube-apiserver-ts/';

export class FanoutPublisher {
  private campaign?: ReturnType<ReturnType<Etcd3['election']>['campaign']>;
  private heartbeat?: NodeJS.Timeout;
  private leading = false;
  private stopped = false;
  private published = 0;
  private publishErrors = 0;

  constructor(
    private readonly etcd: Etcd3,
    private readonly redis: Redis,
    /** A fresh etcd watch feed on /registry/ each time this instance leads. */
    private readonly etcdFeed: () => EventFeed,
    private readonly opts: FanoutOptions,
    private readonly log: (line: string) => void = (line) => console.error(line),
  ) {}

  private feed?: EventFeed;

  isLeader(): boolean {
    return this.leading;
  }

  stats(): { leader: boolean; published: number; publishErrors: number } {
    return { leader: this.leading, published: this.published, publishErrors: this.publishErrors };
  }

  start(): void {
    if (this.stopped) return;
    const election = this.etcd.namespace(electionNamespace).election('fanout-publisher', this.opts.electionTtlSeconds);
    const campaign = election.campaign(this.opts.instanceName);
    this.campaign = campaign;
    campaign.on('elected', () => void this.lead(campaign));
    campaign.on('error', (err: Error) => {
      if (this.campaign !== campaign) return;
      this.log(`fan-out publisher: campaign failed (${err.message}); campaigning again`);
      void this.follow(false).then(() => {
        if (!this.stopped) setTimeout(() => this.start(), 1000).unref();
      });
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const campaign = this.campaign;
    this.campaign = undefined;
    await this.follow(false);
    await campaign?.resign().catch(() => undefined);
  }

  /** Elected: continue the chain from the stream's last entry (or start it at etcd's revision). */
  private async lead(campaign: NonNullable<FanoutPublisher['campaign']>): Promise<void> {
    if (this.campaign !== campaign || this.stopped) return;
    try {
      const current = async () => Number((await this.etcd.get(`${electionNamespace}none`).exec()).header.revision);
      const last = await this.redis.xrevrange(streamKey(this.opts), '+', '-', 'COUNT', 1);
      let from = last.length ? entryRevision(last[0][0]) : await current();
      try {
        await this.follow(true, from);
      } catch (e) {
        // etcd no longer has that history (compacted): start anew; readers see the break and resync.
        this.log(`fan-out publisher: cannot continue the stream from ${from} (${(e as Error).message}); starting at etcd's revision`);
        from = await current();
        await this.follow(true, from);
      }
      this.log(`fan-out publisher: ${this.opts.instanceName} publishes from revision ${from}`);
    } catch (e) {
      this.log(`fan-out publisher: cannot start publishing (${(e as Error).message}); resigning`);
      await this.follow(false);
      await campaign.resign().catch(() => undefined);
      if (this.campaign === campaign && !this.stopped) setTimeout(() => this.start(), 1000).unref();
    }
  }

  /** Starts (from `from`) or stops tailing etcd into the stream, with the heartbeat readers trust. */
  private async follow(on: boolean, from = 0): Promise<void> {
    this.leading = on;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
    const old = this.feed;
    this.feed = undefined;
    await old?.stop();
    if (!on) return;
    const feed = this.etcdFeed();
    this.feed = feed;
    this.lastPublished = from;
    await feed.follow(from, {
      batch: (b) => this.publish(b),
      error: (err) => {
        if (this.feed !== feed) return;
        // A broken etcd watch: resume from what was published; the chain says if anything is missing.
        this.log(`fan-out publisher: etcd watch failed (${err.message}); resuming`);
        void this.follow(true, this.lastPublished).catch((e: Error) => {
          this.log(`fan-out publisher: cannot resume (${e.message}); stepping down`);
          void this.stepDown();
        });
      },
    });
    const beat = () => void this.redis.set(heartbeatKey(this.opts), this.opts.instanceName, 'PX', this.opts.heartbeatTtlMs).catch(() => undefined);
    beat();
    this.heartbeat = setInterval(beat, Math.max(100, Math.floor(this.opts.heartbeatTtlMs / 3)));
    this.heartbeat.unref();
  }

  private lastPublished = 0;

  private publish(b: FeedBatch): void {
    if (!this.leading) return;
    const revision = b.events[b.events.length - 1].modRevision;
    // Commands on one connection run in order: entries land in revision order without awaiting each.
    // A failed add leaves a hole the next entry's previous revision exposes to every reader.
    this.lastPublished = revision;
    this.redis.xadd(streamKey(this.opts), 'MAXLEN', '~', this.opts.streamMaxLength, entryId(revision),
      'p', String(b.prevRevision), 'e', encodeEvents(b.events))
      .then(() => {
        this.published++;
      }, (e: Error) => {
        this.publishErrors++;
        if (this.publishErrors % 100 === 1) this.log(`fan-out publisher: cannot add to the stream (${e.message})`);
      });
  }

  private async stepDown(): Promise<void> {
    const campaign = this.campaign;
    await this.follow(false);
    await campaign?.resign().catch(() => undefined);
    if (!this.stopped) setTimeout(() => this.start(), 1000).unref();
  }
}
