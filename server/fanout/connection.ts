// Where the fan-out's Redis connection comes from: --redis-url (redis:// or rediss:// for TLS, with
// the ACL user as its user name), the password from --redis-password-file (never on a command line,
// which `ps` shows), and --redis-ca-file / --redis-cert-file / --redis-key-file for TLS.
import { readFileSync } from 'node:fs';
import type { RedisOptions } from 'ioredis';
import type { ServerConfig } from '../config.js';

export type RedisConnection = Pick<RedisOptions, 'host' | 'port' | 'db' | 'username' | 'password' | 'tls'>;

export function redisConnection(config: Pick<ServerConfig, 'redisPasswordFile' | 'redisCAFile' | 'redisCertFile' | 'redisKeyFile'> & { redisUrl: string }): RedisConnection {
  const url = new URL(config.redisUrl);
  // Built here rather than handing ioredis the URL: its URL's empty password would win over the file's.
  const password = config.redisPasswordFile ? readFileSync(config.redisPasswordFile, 'utf8').trim() : decodeURIComponent(url.password) || undefined;
  return {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port) || 6379,
    db: Number(url.pathname.slice(1)) || 0,
    username: decodeURIComponent(url.username) || undefined,
    password,
    tls: url.protocol === 'rediss:' ? {
      ...(config.redisCAFile ? { ca: readFileSync(config.redisCAFile) } : {}),
      ...(config.redisCertFile && config.redisKeyFile ? { cert: readFileSync(config.redisCertFile), key: readFileSync(config.redisKeyFile) } : {}),
    } : undefined,
  };
}
