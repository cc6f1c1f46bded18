// Watch fan-out through Redis: the names and timings every part shares, with their defaults in one place.
import type { StreamAuthenticator } from './stream-auth.js';

export interface FanoutOptions {
  /** Redis URL (redis://host:port/db). */
  redisUrl: string;
  /** Signs stream entries and heartbeats (the publisher) and checks them (readers); unset, entries are taken unchecked. */
  auth?: StreamAuthenticator;
  /** Prefix of every Redis key the fan-out uses, so several clusters can share one Redis. */
  keyPrefix: string;
  /** This instance's name, written into the publisher heartbeat. */
  instanceName: string;
  /** Entries the stream keeps (approximately): how far back a returning reader can resume. */
  streamMaxLength: number;
  /** The publisher heartbeat's lifetime; a reader that finds none falls back to etcd. */
  heartbeatTtlMs: number;
  /** How often a reader on etcd looks whether the stream can carry it again. */
  probeIntervalMs: number;
  /** etcd lease TTL of the publisher election: how long a dead publisher holds the role. */
  electionTtlSeconds: number;
}

export const defaultFanoutOptions: Omit<FanoutOptions, 'redisUrl' | 'instanceName'> = {
  keyPrefix: 'kube-apiserver-ts:',
  streamMaxLength: 20000,
  heartbeatTtlMs: 3000,
  probeIntervalMs: 2000,
  electionTtlSeconds: 5,
};

export const streamKey = (o: Pick<FanoutOptions, 'keyPrefix'>) => `${o.keyPrefix}registry-events`;
export const heartbeatKey = (o: Pick<FanoutOptions, 'keyPrefix'>) => `${o.keyPrefix}publisher`;
/** Stream entry ids are the revision of the entry's last event: increasing, and findable by revision. */
export const entryId = (revision: number) => `${revision}-0`;
export const entryRevision = (id: string) => Number(id.slice(0, id.indexOf('-')));
