// A watch cache feed read from the Redis stream the elected publisher writes. It trusts nothing it
// cannot check: each entry names the revision of the entry before it, and an entry whose previous
// revision is past what this feed delivered means events were lost (trimmed, or a publisher that
// started over) — the feed then fails, and its owner goes back to etcd. So does a stream whose
// publisher heartbeat is gone: no entries would be a lie by silence. With a stream key (options.auth)
// an entry whose signature does not verify is a break too: never applied, whoever added it.
import { Redis } from 'ioredis';
import type { EventFeed, FeedEvent, FeedHandlers } from '../storage/cacher/feed.js';
import { entryId, type FanoutOptions, heartbeatKey, streamKey } from './options.js';
import { decodeEvents } from './wire.js';

type RawEntry = [Buffer, Buffer[]];

export class RedisStreamFeed implements EventFeed {
  private reader?: Redis;
  private generation = 0;

  constructor(private readonly commands: Redis, private readonly opts: FanoutOptions) {}

  /** Resolves once the stream is proven to continue from `afterRevision`; rejects otherwise. */
  async follow(afterRevision: number, handlers: FeedHandlers): Promise<void> {
    await this.stop();
    const generation = ++this.generation;
    if (!(await this.publisherAlive())) throw new Error('no fan-out publisher is running');
    const first = (await this.commands.xrangeBuffer(streamKey(this.opts), `(${entryId(afterRevision)}`, '+', 'COUNT', 1)) as RawEntry[];
    // An empty stream proves nothing (a publisher writes where its chain begins before its heartbeat).
    if (!first.length && !(await this.commands.xlen(streamKey(this.opts)))) throw new Error('the fan-out stream is empty');
    if (first.length) {
      const prev = this.checked(first[0]);
      if (prev > afterRevision) throw new Error(`the stream does not reach back to revision ${afterRevision} (it resumes after ${prev})`);
    }
    // XREAD BLOCK holds its connection: one of its own, dropped by stop().
    const reader = this.commands.duplicate();
    this.reader = reader;
    reader.on('error', () => undefined);
    await reader.connect();
    if (generation !== this.generation) return;
    void this.read(reader, generation, afterRevision, handlers);
  }

  private async read(reader: Redis, generation: number, after: number, handlers: FeedHandlers): Promise<void> {
    let last = after;
    let lastId = entryId(after);
    let heartbeatCheckedAt = Date.now();
    const fail = (err: Error) => {
      if (generation !== this.generation) return;
      void this.stop();
      handlers.error(err);
    };
    while (generation === this.generation) {
      let res: Array<[Buffer, RawEntry[]]> | null;
      try {
        res = (await reader.xreadBuffer('COUNT', 1000, 'BLOCK', 1000, 'STREAMS', streamKey(this.opts), lastId)) as Array<[Buffer, RawEntry[]]> | null;
      } catch (e) {
        return fail(new Error(`redis stream read failed: ${(e as Error).message}`));
      }
      if (generation !== this.generation) return;
      for (const entry of res?.[0]?.[1] ?? []) {
        let events: FeedEvent[];
        try {
          const prev = this.checked(entry);
          if (prev > last) return fail(new Error(`fan-out stream gap: an entry after ${prev}, this feed is at ${last}`));
          events = decodeEvents(fieldValue(entry, 'e')).filter((e) => e.modRevision > last);
        } catch (e) {
          return fail(e as Error);
        }
        lastId = entry[0].toString();
        if (!events.length) continue;
        handlers.batch({ events, prevRevision: last });
        last = events[events.length - 1].modRevision;
      }
      if (Date.now() - heartbeatCheckedAt >= this.opts.heartbeatTtlMs / 3) {
        heartbeatCheckedAt = Date.now();
        try {
          if (!(await this.publisherAlive())) return fail(new Error('the fan-out publisher stopped'));
        } catch (e) {
          return fail(new Error(`redis unavailable: ${(e as Error).message}`));
        }
      }
    }
  }

  /** An entry's previous revision, once its signature (with a stream key) verifies; throws for any entry the publisher did not write. */
  private checked(entry: RawEntry): number {
    const id = entry[0].toString();
    const auth = this.opts.auth;
    if (auth && !auth.verifyEntry(id, fieldValue(entry, 'p'), fieldValue(entry, 'e'), optionalField(entry, 's'))) {
      throw new Error(`fan-out stream entry ${id} is not signed with the stream key; not applied`);
    }
    return previousRevision(entry);
  }

  /** A heartbeat is there (and, with a stream key, the publisher signed it within its lifetime). */
  private async publisherAlive(): Promise<boolean> {
    const value = await this.commands.get(heartbeatKey(this.opts));
    return this.opts.auth ? this.opts.auth.verifyHeartbeat(value, this.opts.heartbeatTtlMs) : Boolean(value);
  }

  async stop(): Promise<void> {
    this.generation++;
    const reader = this.reader;
    this.reader = undefined;
    reader?.disconnect();
  }
}

function optionalField(entry: RawEntry, name: string): Buffer | undefined {
  const fields = entry[1];
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i].toString() === name) return fields[i + 1];
  return undefined;
}

function fieldValue(entry: RawEntry, name: string): Buffer {
  const value = optionalField(entry, name);
  if (!value) throw new Error(`fan-out entry ${entry[0].toString()} has no field ${name}`);
  return value;
}

/** A whole number, or the entry is refused: NaN would pass every gap check. */
function previousRevision(entry: RawEntry): number {
  const p = fieldValue(entry, 'p').toString();
  if (!/^\d{1,16}$/.test(p)) throw new Error(`fan-out entry ${entry[0].toString()} has a malformed previous revision`);
  return Number(p);
}
