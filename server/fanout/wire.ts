// One stream entry's events as bytes: values are the objects' JSON bytes, kept as they are (no
// re-encoding, no escaping), framed by lengths. Layout per event:
//   u8 type (0 put, 1 delete) | f64 modRevision | f64 createRevision | u32 key length | key | u32 value length | value
import type { FeedEvent } from '../storage/cacher/feed.js';

export function encodeEvents(events: FeedEvent[]): Buffer {
  let size = 0;
  const keys = events.map((e) => Buffer.from(e.key));
  for (let i = 0; i < events.length; i++) size += 1 + 8 + 8 + 4 + keys[i].length + 4 + events[i].value.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    at = out.writeUInt8(e.type === 'delete' ? 1 : 0, at);
    at = out.writeDoubleBE(e.modRevision, at);
    at = out.writeDoubleBE(e.createRevision, at);
    at = out.writeUInt32BE(keys[i].length, at);
    at += keys[i].copy(out, at);
    at = out.writeUInt32BE(e.value.length, at);
    at += e.value.copy(out, at);
  }
  return out;
}

export function decodeEvents(buf: Buffer): FeedEvent[] {
  const events: FeedEvent[] = [];
  let at = 0;
  const need = (n: number) => {
    if (at + n > buf.length) throw new Error(`fan-out entry truncated at byte ${at}`);
  };
  while (at < buf.length) {
    need(1 + 8 + 8 + 4);
    const type = buf.readUInt8(at) === 1 ? 'delete' : 'put';
    const modRevision = buf.readDoubleBE(at + 1);
    const createRevision = buf.readDoubleBE(at + 9);
    const keyLength = buf.readUInt32BE(at + 17);
    at += 21;
    need(keyLength + 4);
    const key = buf.toString('utf8', at, at + keyLength);
    at += keyLength;
    const valueLength = buf.readUInt32BE(at);
    at += 4;
    need(valueLength);
    // A copy: the entry's buffer would otherwise stay alive as long as any one value does.
    const value = Buffer.from(buf.subarray(at, at + valueLength));
    at += valueLength;
    events.push({ type, key, value, modRevision, createRevision });
  }
  return events;
}
