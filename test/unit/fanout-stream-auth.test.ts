import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { StreamAuthenticator } from '../../server/fanout/stream-auth.js';
import { encodeEvents } from '../../server/fanout/wire.js';

const key = Buffer.from(randomBytes(32).toString('hex'));
const auth = new StreamAuthenticator(key);
const events = encodeEvents([{ type: 'put', key: '/registry/clusterrolebindings/x', value: Buffer.from('{"kind":"ClusterRoleBinding"}'), modRevision: 11, createRevision: 11 }]);

describe('fan-out stream authentication', () => {
  it('verifies what the publisher signed, and nothing changed in id, previous revision or events', () => {
    const sig = auth.signEntry('11-0', '10', events);
    expect(sig).toHaveLength(32);
    expect(auth.verifyEntry('11-0', Buffer.from('10'), events, sig)).toBe(true);
    expect(auth.verifyEntry('12-0', Buffer.from('10'), events, sig)).toBe(false);
    expect(auth.verifyEntry('11-0', Buffer.from('9'), events, sig)).toBe(false);
    const changed = Buffer.from(events);
    changed[changed.length - 2] ^= 1;
    expect(auth.verifyEntry('11-0', Buffer.from('10'), changed, sig)).toBe(false);
    expect(auth.verifyEntry('11-0', Buffer.from('10'), events, undefined)).toBe(false);
    expect(auth.verifyEntry('11-0', Buffer.from('10'), events, sig.subarray(0, 16))).toBe(false);
    expect(new StreamAuthenticator(Buffer.from(randomBytes(32).toString('hex'))).verifyEntry('11-0', Buffer.from('10'), events, sig)).toBe(false);
  });

  it('keeps the parts apart: bytes moved from the events into the previous revision do not verify', () => {
    const sig = auth.signEntry('11-0', '10', Buffer.concat([Buffer.from('\n'), events]));
    expect(auth.verifyEntry('11-0', Buffer.from('10\n'), events, sig)).toBe(false);
  });

  it('takes a heartbeat the publisher signed within its lifetime, not a stale, future, forged or unsigned one', () => {
    const now = 1_800_000_000_000;
    const beat = auth.heartbeat('apiserver-1', now);
    expect(auth.verifyHeartbeat(beat, 3000, now + 1000)).toBe(true);
    // Replayed after the publisher is gone: stale.
    expect(auth.verifyHeartbeat(beat, 3000, now + 3001)).toBe(false);
    expect(auth.verifyHeartbeat(auth.heartbeat('apiserver-1', now + 60000), 3000, now)).toBe(false);
    expect(auth.verifyHeartbeat(beat.replace('apiserver-1', 'apiserver-2'), 3000, now)).toBe(false);
    expect(auth.verifyHeartbeat(beat.replace(String(now), String(now + 1)), 3000, now)).toBe(false);
    expect(auth.verifyHeartbeat('apiserver-1', 3000, now)).toBe(false);
    expect(auth.verifyHeartbeat(null, 3000, now)).toBe(false);
  });

  it('refuses a key shorter than 32 bytes', () => {
    expect(() => new StreamAuthenticator(Buffer.from('short'))).toThrow(/at least 32 bytes/);
  });
});
