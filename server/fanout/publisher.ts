// The fan-out publisher: the one instance elected through an etcd lease tails etcd (one watch for
// the whole control plane) and republishes every batch, in revision order, to the Redis stream,
// each entry naming the revision before it. Every instance campaigns; when the publisher dies its
// lease expires and another takes over, continuing from the stream's last entry so the chain holds.
import type { Etcd3, Lease } from 'etcd3';
import type { Redis } from 'ioredis';
import type { EventFeed, FeedBatch } from '../storage/cacher/feed.js';
import { entryId, entryRevision, type FanoutOptions, heartbeatKey, streamKey } from './options.js';
import { encodeEvents } from './wire.js';
import { logger } from '../logging/logger.js';

/** The publisher's key: under /registry/, so the revisions its election makes reach every cache. */
export const publisherKey = '/registry/kube-apiserver-ts/fanout-publisher';

export class FanoutPublisher {
  private lease?: Lease;
  private retry?: NodeJS.Timeout;
  private campaigning = false;
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
    private readonly log: (line: string) => void = (line) => logger.error(line),
  ) {}

  private feed?: EventFeed;

  isLeader(): boolean {
    return this.leading;
  }

  stats(): { leader: boolean; published: number; publishErrors: number } {
    return { leader: this.leading, published: this.published, publishErrors: this.publishErrors };
  }

  /**
   * Campaigns: the publisher holds a key bound to an etcd lease it keeps alive; when it dies the
   * lease expires with the key. Candidates look for the key now and then (one cheap read each,
   * no watch, so etcd serves exactly one watch of /registry/: the publisher's) and take it when gone.
   */
  start(): void {
    if (this.stopped || this.campaigning) return;
    this.campaigning = true;
    const attempt = async () => {
      this.retry = undefined;
      if (this.stopped || this.leading) {
        this.campaigning = false;
        return;
      }
      try {
        await this.campaign();
      } catch (e) {
        this.log(`fan-out publisher: campaign failed (${(e as Error).message})`);
      }
      if (this.stopped || this.leading) {
        this.campaigning = false;
        return;
      }
      this.retry = setTimeout(() => void attempt(), 1000);
      this.retry.unref();
    };
    void attempt();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retry) clearTimeout(this.retry);
    await this.stepDown(false);
  }

  private async campaign(): Promise<void> {
    if ((await this.etcd.get(publisherKey).exec()).kvs.length) return;
    const lease = this.etcd.lease(this.opts.electionTtlSeconds);
    lease.on('lost', () => {
      if (this.lease !== lease) return;
      this.log('fan-out publisher: lease lost; stepping down');
      void this.stepDown(true);
    });
    const id = await lease.grant();
    const won = await this.etcd.if(publisherKey, 'Create', '==', 0).then(this.etcd.put(publisherKey).value(this.opts.instanceName).lease(id)).commit();
    if (!won.succeeded || this.stopped) {
      await lease.revoke().catch(() => undefined);
      return;
    }
    this.lease = lease;
    await this.lead();
  }

  /** Stops publishing and gives up the key (revoking the lease lets a successor in at once). */
  private async stepDown(campaignAgain: boolean): Promise<void> {
    const lease = this.lease;
    this.lease = undefined;
    await this.follow(false);
    await lease?.revoke().catch(() => undefined);
    if (campaignAgain && !this.stopped) this.start();
  }

  /** Elected: continue the chain from the stream's last entry (or start it at etcd's revision). */
  private async lead(): Promise<void> {
    if (this.stopped) return;
    try {
      const current = async () => Number((await this.etcd.get(publisherKey).exec()).header.revision);
      const last = (await this.redis.xrevrangeBuffer(streamKey(this.opts), '+', '-', 'COUNT', 1)) as [Buffer, Buffer[]][];
      // Only an entry signed with the stream key is a place to continue from: a forged last entry is not.
      let from = last.length && this.signedByUs(last[0]) ? entryRevision(last[0][0].toString()) : 0;
      if (from) {
        try {
          await this.follow(true, from);
        } catch (e) {
          // etcd no longer has that history (compacted): start anew; readers see the break and resync.
          this.log(`fan-out publisher: cannot continue the stream from ${from} (${(e as Error).message}); starting at etcd's revision`);
          from = 0;
        }
      }
      if (!from) {
        from = await current();
        await this.beginChain(from);
        await this.follow(true, from);
      }
      this.log(`fan-out publisher: ${this.opts.instanceName} publishes from revision ${from}`);
    } catch (e) {
      this.log(`fan-out publisher: cannot start publishing (${(e as Error).message}); stepping down`);
      await this.stepDown(true);
    }
  }

  /** Whether a stream entry is one a publisher wrote (always, without a stream key): a forged last entry must not set where the chain goes on. */
  private signedByUs([id, fields]: [Buffer, Buffer[]]): boolean {
    if (!this.opts.auth) return true;
    const field = (name: string) => {
      const at = fields.findIndex((f, i) => i % 2 === 0 && f.toString() === name);
      return at >= 0 ? fields[at + 1] : undefined;
    };
    const p = field('p');
    const e = field('e');
    if (p && e && this.opts.auth.verifyEntry(id.toString(), p, e, field('s'))) return true;
    this.log(`fan-out publisher: the stream's last entry ${id.toString()} is not signed with the stream key; starting at etcd's revision`);
    return false;
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
          void this.stepDown(true);
        });
      },
    });
    const beat = () => void (async () => {
      // Redis came back empty: the chain starts again where this publisher is, before readers trust it.
      if (!(await this.redis.exists(streamKey(this.opts))) && this.feed === feed) await this.beginChain(this.lastPublished).catch(() => undefined);
      await this.redis.set(heartbeatKey(this.opts), this.opts.auth?.heartbeat(this.opts.instanceName) ?? this.opts.instanceName, 'PX', this.opts.heartbeatTtlMs);
    })().catch(() => undefined);
    beat();
    this.heartbeat = setInterval(beat, Math.max(100, Math.floor(this.opts.heartbeatTtlMs / 3)));
    this.heartbeat.unref();
  }

  private lastPublished = 0;

  /**
   * A new chain starts with an entry holding no events whose previous revision is its own: until
   * the first event, it alone tells a reader from an older revision that the stream misses what came before.
   */
  private async beginChain(revision: number): Promise<void> {
    const id = entryId(revision);
    const events = encodeEvents([]);
    const signature = this.opts.auth ? ['s', this.opts.auth.signEntry(id, String(revision), events)] : [];
    await this.redis.xadd(streamKey(this.opts), 'MAXLEN', '~', this.opts.streamMaxLength, id, 'p', String(revision), 'e', events, ...signature);
  }

  private publish(b: FeedBatch): void {
    if (!this.leading) return;
    const revision = b.events[b.events.length - 1].modRevision;
    // Commands on one connection run in order: entries land in revision order without awaiting each.
    // A failed add leaves a hole the next entry's previous revision exposes to every reader.
    this.lastPublished = revision;
    const id = entryId(revision);
    const prev = String(b.prevRevision);
    const events = encodeEvents(b.events);
    // Signed: a reader applies only entries whose signature (over id, previous revision and events) verifies.
    const signature = this.opts.auth ? ['s', this.opts.auth.signEntry(id, prev, events)] : [];
    this.redis.xadd(streamKey(this.opts), 'MAXLEN', '~', this.opts.streamMaxLength, id, 'p', prev, 'e', events, ...signature)
      .then(() => {
        this.published++;
      }, (e: Error) => {
        this.publishErrors++;
        if (this.publishErrors % 100 === 1) this.log(`fan-out publisher: cannot add to the stream (${e.message})`);
      });
  }
}
