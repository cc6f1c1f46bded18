// The fan-out as one instance runs it: a Redis connection, its candidacy for publisher, and the feed
// its watch cache follows. Built from the configuration; without --redis-url there is none and the
// cache follows its own etcd watch.
import type { Etcd3 } from 'etcd3';
import { Redis } from 'ioredis';
import type { ServerConfig } from '../config.js';
import { type RedisConnection, redisConnection } from './connection.js';
import { EtcdWatchFeed } from '../storage/cacher/etcd-feed.js';
import { registryRoot } from '../storage/cacher/watch-cache.js';
import { FanoutFeed } from './fanout-feed.js';
import { defaultFanoutOptions, type FanoutOptions } from './options.js';
import { FanoutPublisher } from './publisher.js';
import { StreamAuthenticator } from './stream-auth.js';
import { RedisStreamFeed } from './stream-feed.js';
import { tracedRedis } from '../tracing/redis-spans.js';
import { activeTracer } from '../tracing/tracing.js';
import { logger } from '../logging/logger.js';

export class Fanout {
  readonly feed: FanoutFeed;
  readonly publisher: FanoutPublisher;
  private readonly redis: Redis;

  constructor(etcd: Etcd3, opts: FanoutOptions, connection: RedisConnection = redisConnection({ redisUrl: opts.redisUrl })) {
    // Fail fast while Redis is away (no queueing): the feed falls back to etcd instead of waiting.
    this.redis = new Redis({
      ...connection, lazyConnect: true, enableOfflineQueue: false, maxRetriesPerRequest: 1,
      retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    });
    this.redis.on('error', () => undefined); // reconnects by itself; the feed reports the mode
    const tracer = activeTracer();
    if (tracer) tracedRedis(tracer, this.redis);
    this.feed = new FanoutFeed(new RedisStreamFeed(this.redis, opts), new EtcdWatchFeed(etcd, registryRoot), opts.probeIntervalMs);
    this.publisher = new FanoutPublisher(etcd, this.redis, () => new EtcdWatchFeed(etcd, registryRoot), opts);
  }

  static fromConfig(config: ServerConfig, etcd: Etcd3, log: (line: string) => void = (line) => logger.error(line)): Fanout | undefined {
    if (!config.redisUrl) return undefined;
    const auth = config.redisStreamKeyFile ? StreamAuthenticator.fromFile(config.redisStreamKeyFile) : undefined;
    if (!auth) log('fan-out: stream entries are not authenticated (no --redis-stream-key-file): anyone who can write to Redis can change this instance\'s watch cache');
    return new Fanout(etcd, { ...defaultFanoutOptions, redisUrl: config.redisUrl, keyPrefix: config.redisKeyPrefix, instanceName: config.instanceName, auth },
      redisConnection({ ...config, redisUrl: config.redisUrl }));
  }

  start(): void {
    this.redis.connect().catch(() => undefined);
    this.publisher.start();
  }

  async stop(): Promise<void> {
    await this.publisher.stop();
    await this.feed.stop();
    this.redis.disconnect();
  }
}
