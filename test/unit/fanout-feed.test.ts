// The switching feed's rules, with two scripted sources standing in for the stream and etcd.
import { describe, expect, it } from 'vitest';
import { FanoutFeed } from '../../server/fanout/fanout-feed.js';
import type { EventFeed, FeedBatch, FeedEvent, FeedHandlers } from '../../server/storage/cacher/feed.js';

class ScriptedFeed implements EventFeed {
  handlers?: FeedHandlers;
  from = -1;
  refuse?: Error;
  /** Accepts the follow, then fails at once (a connection that drops right after the check). */
  failAfterFollow?: Error;
  follows = 0;
  async follow(after: number, handlers: FeedHandlers): Promise<void> {
    this.follows++;
    if (this.refuse) throw this.refuse;
    this.from = after;
    this.handlers = handlers;
    const fail = this.failAfterFollow;
    if (fail) queueMicrotask(() => handlers.error(fail));
  }
  async stop(): Promise<void> {
    this.handlers = undefined;
  }
  send(...revisions: number[]): void {
    this.handlers?.batch({ events: revisions.map(ev), prevRevision: revisions[0] - 1 });
  }
}

const ev = (rev: number): FeedEvent => ({ type: 'put', key: `/registry/k/${rev}`, value: Buffer.from('{}'), modRevision: rev, createRevision: rev });
const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(cond()).toBe(true);
};

function sink() {
  const batches: FeedBatch[] = [];
  const errors: Error[] = [];
  return { batches, errors, handlers: { batch: (b: FeedBatch) => batches.push(b), error: (e: Error) => errors.push(e) }, revisions: () => batches.flatMap((b) => b.events.map((e) => e.modRevision)) };
}

describe('the fan-out feed', () => {
  it('follows the stream when it can, and hands batches on chained from what it delivered', async () => {
    const stream = new ScriptedFeed();
    const etcd = new ScriptedFeed();
    const feed = new FanoutFeed(stream, etcd, 10, () => undefined);
    const out = sink();
    await feed.follow(10, out.handlers);
    expect(feed.currentMode()).toBe('redis');
    expect(stream.from).toBe(10);
    stream.send(11, 12);
    stream.send(13);
    expect(out.revisions()).toEqual([11, 12, 13]);
    expect(out.batches.map((b) => b.prevRevision)).toEqual([10, 12]);
    expect(etcd.follows).toBe(0);
    await feed.stop();
  });

  it('starts on etcd when the stream refuses, and moves to the stream once it proves whole, with nothing twice', async () => {
    const stream = new ScriptedFeed();
    stream.refuse = new Error('no publisher');
    const etcd = new ScriptedFeed();
    const feed = new FanoutFeed(stream, etcd, 10, () => undefined);
    const out = sink();
    await feed.follow(5, out.handlers);
    expect(feed.currentMode()).toBe('etcd');
    expect(etcd.from).toBe(5);
    etcd.send(6, 7);
    stream.refuse = undefined;
    await until(() => feed.currentMode() === 'redis');
    expect(stream.from).toBe(7);
    etcd.send(8); // etcd stopped: nothing more from it
    stream.send(7, 8, 9); // an entry reaching back: what was delivered is dropped
    expect(out.revisions()).toEqual([6, 7, 8, 9]);
    expect(feed.modeSwitches()).toBe(1);
    await feed.stop();
  });

  it('falls back to etcd from the last delivered revision when the stream breaks; an etcd failure is the cache\'s', async () => {
    const stream = new ScriptedFeed();
    const etcd = new ScriptedFeed();
    const feed = new FanoutFeed(stream, etcd, 10_000, () => undefined);
    const out = sink();
    await feed.follow(1, out.handlers);
    stream.send(2, 3);
    stream.handlers!.error(new Error('fan-out stream gap'));
    await until(() => feed.currentMode() === 'etcd');
    expect(etcd.from).toBe(3);
    expect(out.errors).toEqual([]);
    etcd.send(3, 4);
    expect(out.revisions()).toEqual([2, 3, 4]);
    etcd.handlers!.error(new Error('etcd watch disconnected'));
    expect(out.errors.map((e) => e.message)).toEqual(['etcd watch disconnected']);
    await feed.stop();
  });

  it('passes an etcd refusal on to its caller when the stream cannot carry it either', async () => {
    const stream = new ScriptedFeed();
    stream.refuse = new Error('redis down');
    const etcd = new ScriptedFeed();
    etcd.refuse = new Error('compacted');
    const feed = new FanoutFeed(stream, etcd, 10, () => undefined);
    await expect(feed.follow(1, sink().handlers)).rejects.toThrow('compacted');
    await feed.stop();
  });

  it('does not switch to a stream that fails as soon as it was followed', async () => {
    const stream = new ScriptedFeed();
    stream.failAfterFollow = new Error('Stream isn\'t writeable');
    const etcd = new ScriptedFeed();
    const feed = new FanoutFeed(stream, etcd, 10, () => undefined);
    const out = sink();
    await feed.follow(1, out.handlers);
    expect(feed.currentMode()).toBe('etcd');
    await until(() => stream.follows >= 3);
    expect(feed.currentMode()).toBe('etcd');
    etcd.send(2);
    expect(out.revisions()).toEqual([2]);
    stream.failAfterFollow = undefined;
    await until(() => feed.currentMode() === 'redis');
    await feed.stop();
  });
});
