import { describe, expect, it } from 'vitest';
import { decodeEvents, encodeEvents } from '../../server/fanout/wire.js';
import type { FeedEvent } from '../../server/storage/cacher/feed.js';

describe('fan-out stream entries', () => {
  it('carry events byte for byte: keys, values, revisions and deletes', () => {
    const events: FeedEvent[] = [
      { type: 'put', key: '/registry/configmaps/default/a', value: Buffer.from('{"kind":"ConfigMap","data":{"é":"\\u0000"}}'), modRevision: 12, createRevision: 12 },
      { type: 'delete', key: '/registry/pods/ns/ünïcode', value: Buffer.alloc(0), modRevision: 13, createRevision: 7 },
      { type: 'put', key: '/registry/x', value: Buffer.alloc(70000, 0x41), modRevision: 2 ** 40, createRevision: 1 },
    ];
    const decoded = decodeEvents(encodeEvents(events));
    expect(decoded.map((e) => ({ ...e, value: e.value.toString('hex') }))).toEqual(events.map((e) => ({ ...e, value: e.value.toString('hex') })));
  });

  it('refuse a truncated entry instead of inventing events', () => {
    const bytes = encodeEvents([{ type: 'put', key: '/registry/a', value: Buffer.from('{}'), modRevision: 5, createRevision: 5 }]);
    expect(() => decodeEvents(bytes.subarray(0, bytes.length - 1))).toThrow(/truncated/);
    expect(decodeEvents(Buffer.alloc(0))).toEqual([]);
  });
});
