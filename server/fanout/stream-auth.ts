// Authenticating the fan-out stream: anything that can write to Redis can XADD an entry that chains
// onto the last one, so the publisher signs each entry (its id, previous revision and events) and the
// heartbeat with HMAC-SHA256 under a key only the API servers hold (--redis-stream-key-file), and a
// reader applies no entry, and trusts no heartbeat, whose signature does not verify.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** A different context per kind of thing signed, so an entry's signature never passes as a heartbeat's. */
const entryContext = 'kube-apiserver-ts/fanout/entry/v1';
const heartbeatContext = 'kube-apiserver-ts/fanout/heartbeat/v1';

/** How far a heartbeat's time may be ahead of this instance's clock (instances on other hosts). */
const clockSkewMs = 2000;

export class StreamAuthenticator {
  constructor(private readonly key: Buffer) {
    if (key.length < 32) throw new Error(`the fan-out stream key must have at least 32 bytes, got ${key.length}`);
  }

  /** Reads a key file (64 hex digits as the launcher writes, or any text of 32 bytes or more; the line end is not part of it). */
  static fromFile(file: string): StreamAuthenticator {
    return new StreamAuthenticator(Buffer.from(readFileSync(file, 'utf8').trim()));
  }

  /** The signature of the entry `id`, whose events (wire format) follow revision `prevRevision`. */
  signEntry(id: string, prevRevision: string, events: Buffer): Buffer {
    return this.mac(entryContext, [Buffer.from(id), Buffer.from(prevRevision), events]);
  }

  verifyEntry(id: string, prevRevision: Buffer, events: Buffer, signature: Buffer | undefined): boolean {
    return equal(this.mac(entryContext, [Buffer.from(id), prevRevision, events]), signature);
  }

  /** A heartbeat value: who publishes, since when it says so, and the signature over both. */
  heartbeat(instanceName: string, nowMs = Date.now()): string {
    return `${instanceName} ${nowMs} ${this.mac(heartbeatContext, [Buffer.from(instanceName), Buffer.from(String(nowMs))]).toString('hex')}`;
  }

  /** Whether `value` is a heartbeat the publisher signed at most `ttlMs` ago (a replayed one goes stale). */
  verifyHeartbeat(value: string | null, ttlMs: number, nowMs = Date.now()): boolean {
    const m = /^(\S+) (\d+) ([0-9a-f]{64})$/.exec(value ?? '');
    if (!m) return false;
    const at = Number(m[2]);
    if (at < nowMs - ttlMs || at > nowMs + clockSkewMs) return false;
    return equal(this.mac(heartbeatContext, [Buffer.from(m[1]), Buffer.from(m[2])]), Buffer.from(m[3], 'hex'));
  }

  /** Each part length-prefixed, so no two different entries share an input. */
  private mac(context: string, parts: Buffer[]): Buffer {
    const h = createHmac('sha256', this.key).update(context);
    const length = Buffer.alloc(4);
    for (const p of parts) {
      length.writeUInt32BE(p.length);
      h.update(length).update(p);
    }
    return h.digest();
  }
}

function equal(expected: Buffer, got: Buffer | undefined): boolean {
  return got !== undefined && got.length === expected.length && timingSafeEqual(expected, got);
}
