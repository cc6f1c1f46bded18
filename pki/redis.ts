// What closes Redis to everyone but the control plane, beside the cluster's PKI (kubeadm has no
// Redis, so the layout follows etcd's): <pki>/redis/ca.crt|key, redis/server.crt (TLS), the API
// servers' client certificate apiserver-redis-client.crt, the ACL user's password redis.password
// (mode 0600; Redis's ACL file holds only its SHA-256) and fanout-stream.key, the key the fan-out
// publisher signs stream entries with: a process that can write to Redis still cannot forge one.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { currentLeaf, type Issued, issue, loadIssued, newCA, type PkiOptions, writeIssued } from './pki.js';

/** The one Redis user the API servers log in as; Redis's `default` user is disabled. */
export const redisUser = 'kube-apiserver';

export function redisPkiFiles(pkiDir: string) {
  const f = (name: string) => path.join(pkiDir, 'redis', name);
  return {
    dir: path.join(pkiDir, 'redis'),
    caCert: f('ca.crt'), caKey: f('ca.key'),
    serverCert: f('server.crt'), serverKey: f('server.key'),
    clientCert: path.join(pkiDir, 'apiserver-redis-client.crt'), clientKey: path.join(pkiDir, 'apiserver-redis-client.key'),
    password: path.join(pkiDir, 'redis.password'),
    aclFile: f('users.acl'),
    streamKey: path.join(pkiDir, 'fanout-stream.key'),
  };
}

export type RedisPkiFiles = ReturnType<typeof redisPkiFiles>;

/**
 * Makes what is missing (a CA, password or stream key is never replaced) and writes the ACL file:
 * `default` off, `redisUser` with the password's hash, its keys limited to `keyPattern`, and no
 * administrative or dangerous commands beyond INFO (ioredis's ready check).
 */
export function ensureRedisPKI(pkiDir: string, names: PkiOptions, keyPattern: string): RedisPkiFiles {
  const files = redisPkiFiles(pkiDir);
  mkdirSync(files.dir, { recursive: true, mode: 0o700 });
  const ca = existsSync(files.caCert) ? loadIssued(files.caCert, files.caKey) : written(files.dir, 'ca', newCA('redis-ca'));
  const current = (cert: string, key: string, must?: PkiOptions) => currentLeaf(ca, cert, key, must);
  if (!current(files.serverCert, files.serverKey, names)) written(files.dir, 'server', issue(ca, { commonName: 'redis', usage: 'server', ...names }));
  if (!current(files.clientCert, files.clientKey)) written(pkiDir, 'apiserver-redis-client', issue(ca, { commonName: redisUser, usage: 'client' }));
  if (!existsSync(files.password)) writeFileSync(files.password, randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
  if (!existsSync(files.streamKey)) writeFileSync(files.streamKey, randomBytes(32).toString('hex') + '\n', { mode: 0o600 });
  writeFileSync(files.aclFile, redisACL(readSecret(files.password), keyPattern), { mode: 0o600 });
  return files;
}

/** Redis ACL file lines (users.acl): the password only as its SHA-256, so the file gives nothing away. */
export function redisACL(password: string, keyPattern: string): string {
  const hash = createHash('sha256').update(password).digest('hex');
  return [
    'user default off resetkeys resetchannels -@all',
    `user ${redisUser} on #${hash} resetkeys ~${keyPattern} resetchannels -@all +@read +@write +@stream +@connection +@keyspace -@admin -@dangerous +info`,
    '',
  ].join('\n');
}

/** A password or key file's secret: its text without the line end. */
export function readSecret(file: string): string {
  return readFileSync(file, 'utf8').trim();
}

function written(dir: string, base: string, issued: Issued): Issued {
  writeIssued(dir, base, issued);
  return issued;
}
