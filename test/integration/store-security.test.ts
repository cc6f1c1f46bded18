// etcd and Redis as `npm start` runs them (the launcher's own topology, flags and PKI, on free ports):
// etcd refuses clients without a certificate from its CA, Redis refuses anyone without the ACL
// user's password (over TLS only), no password is on a command line, and an entry XADDed to the
// fan-out stream by someone other than the publisher never reaches a watch cache or RBAC, while the
// publisher's own entries keep feeding the caches.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { Etcd3 } from 'etcd3';
import { Redis, type RedisOptions } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArgs } from '../../compose/local/options.js';
import { readyCheck, type Running, startProcess, stopProcess, waitReady } from '../../compose/local/processes.js';
import { prepareSecurity, type SecurityFiles } from '../../compose/local/security.js';
import { type ComponentSpec, topology } from '../../compose/local/topology.js';
import { readSecret, redisUser } from '../../pki/redis.js';
import { streamKey, defaultFanoutOptions } from '../../server/fanout/options.js';
import { encodeEvents } from '../../server/fanout/wire.js';
import { repoRoot } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { freePort, freeRange } from '../support/ports.js';

let dir: string;
let files: SecurityFiles;
let specs: ComponentSpec[];
const running: Running<ComponentSpec>[] = [];
const adminToken = 'admin-token-for-store-security';
const malloryToken = 'mallory-token-for-store-security';

const spec = (name: string) => specs.find((s) => s.name === name)!;
const instances = () => running.filter((r) => r.spec.role === 'apiserver');

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kats-stores-'));
  const opts = parseArgs(['start', `--port=${await freeRange(3)}`, `--etcd-port=${await freeRange(2)}`, '--etcd-members=1', `--redis-port=${await freePort()}`,
    '--apiservers=2', `--cluster-dir=${dir}`], repoRoot);
  files = prepareSecurity(opts);
  specs = topology(opts, repoRoot).filter((s) => s.role !== 'lb');
  // Besides the launcher's flags, static tokens: a client talking to one instance directly authenticates with one.
  const tokens = path.join(dir, 'tokens.csv');
  writeFileSync(tokens, `${adminToken},admin,1,"system:masters"\n${malloryToken},mallory,2\n`);
  for (const s of specs) {
    const r = startProcess(s.role === 'apiserver' ? { ...s, args: [...s.args, `--token-auth-file=${tokens}`] } : s, { logFile: path.join(dir, `${s.name}.log`) });
    running.push(r);
    await waitReady(r, readyCheck(s.readyUrl, s.probe), { timeoutMs: 60000, intervalMs: 150 });
  }
}, 180000);

afterAll(async () => {
  for (const r of [...running].reverse()) await stopProcess(r.child);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** How a connection attempt ended: the answer, or the error that refused it. */
function httpsGet(url: string, opts: https.RequestOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { ...opts, agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

function httpGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** A request to one instance with a bearer token, verified with the cluster CA. */
function call(base: string, token: string, method: string, p: string, body?: unknown): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(p, base), { method, ca: readFileSync(files.pki.caCert), agent: false, timeout: 10000,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c) => { text += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** Which source feeds an instance's watch cache, as its (anonymous) /readyz?verbose says. */
async function feed(r: Running<ComponentSpec>): Promise<string> {
  const text = await httpsGet(`${r.spec.url}/readyz?verbose`, { ca: readFileSync(files.pki.caCert) });
  return /watch-feed ok \(from (\w+)\)/.exec(text)?.[1] ?? 'unknown';
}

function redisClient(extra: RedisOptions): Redis {
  const { hostname, port } = new URL(spec('redis').url);
  const client = new Redis({ host: hostname, port: Number(port), lazyConnect: true, enableReadyCheck: false, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false, ...extra });
  client.on('error', () => undefined);
  return client;
}

/** The stream's newest entry, after a write of our own so that there is one whatever ran before. */
async function streamTop(redis: Redis, via: Running<ComponentSpec>): Promise<[Buffer, Buffer[]]> {
  const name = `stream-top-${Date.now()}`;
  expect((await call(via.spec.url, adminToken, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name } })).status).toBe(201);
  let top: [Buffer, Buffer[]] | undefined;
  await eventually(async () => {
    [top] = (await redis.xrevrangeBuffer(streamKey(defaultFanoutOptions), '+', '-', 'COUNT', 1)) as [Buffer, Buffer[]][];
    return top?.[1].some((f) => f.includes(name));
  }, { what: 'our write in the stream' });
  return top!;
}

const redisTLS = () => ({ ca: readFileSync(files.redis.caCert), cert: readFileSync(files.redis.clientCert), key: readFileSync(files.redis.clientKey) });

/** PONG, or every error the attempt met (a refused AUTH arrives as a connection error, before the PING). */
async function redisOutcome(client: Redis): Promise<string> {
  const errors: string[] = [];
  client.on('error', (e: Error) => errors.push(e.message));
  try {
    await client.connect();
    return await client.ping();
  } catch (e) {
    return [...errors, (e as Error).message].join(' | ');
  } finally {
    client.disconnect();
  }
}

describe('etcd and Redis as the launcher runs them', () => {
  it('etcd refuses plain HTTP and TLS without a client certificate; the API server\'s certificate gets in', async () => {
    const url = new URL(spec('etcd-1').url);
    expect(url.protocol).toBe('https:');
    await expect(httpGet(`http://${url.host}/version`)).rejects.toThrow();
    const ca = readFileSync(files.etcd.caCert);
    await expect(httpsGet(`${url.origin}/version`, { ca })).rejects.toThrow();
    // A certificate from another CA (the cluster's, which signs user certificates) does not do either.
    await expect(httpsGet(`${url.origin}/version`, { ca, cert: readFileSync(files.pki.frontProxyClientCert), key: readFileSync(files.pki.frontProxyClientKey) })).rejects.toThrow();
    const version = await httpsGet(`${url.origin}/version`, { ca, cert: readFileSync(files.etcd.apiserverClientCert), key: readFileSync(files.etcd.apiserverClientKey) });
    expect(JSON.parse(version).etcdserver).toMatch(/^3\./);

    // The same over gRPC, as the etcd3 client the API server uses.
    const grpc = (opts: Partial<ConstructorParameters<typeof Etcd3>[0]>) => {
      const client = new Etcd3({ hosts: url.origin, dialTimeout: 2000, defaultCallOptions: () => ({ deadline: Date.now() + 4000 }), ...opts });
      return client.get('/registry/namespaces/default').string().finally(() => client.close());
    };
    await expect(grpc({ hosts: `http://${url.host}` })).rejects.toThrow();
    await expect(grpc({ credentials: { rootCertificate: ca } })).rejects.toThrow();
    const ns = await grpc({ credentials: { rootCertificate: ca, certChain: readFileSync(files.etcd.apiserverClientCert), privateKey: readFileSync(files.etcd.apiserverClientKey) } });
    expect(JSON.parse(ns!).metadata.name).toBe('default');
  }, 60000);

  it('Redis refuses clients without the ACL user\'s password, and anything but TLS', async () => {
    const password = readSecret(files.redis.password);
    expect(await redisOutcome(redisClient({ tls: redisTLS() }))).toMatch(/NOAUTH/);
    expect(await redisOutcome(redisClient({ tls: redisTLS(), username: 'default', password: 'guess' }))).toMatch(/WRONGPASS/);
    expect(await redisOutcome(redisClient({ tls: redisTLS(), username: redisUser, password: 'guess' }))).toMatch(/WRONGPASS/);
    expect(await redisOutcome(redisClient({ username: redisUser, password }))).not.toBe('PONG');
    // Right password, no client certificate: the TLS handshake fails.
    expect(await redisOutcome(redisClient({ tls: { ca: readFileSync(files.redis.caCert) }, username: redisUser, password }))).not.toBe('PONG');
    expect(await redisOutcome(redisClient({ tls: redisTLS(), username: redisUser, password }))).toBe('PONG');
    // Even the API servers' user cannot reconfigure Redis or touch keys outside the fan-out's.
    const client = redisClient({ tls: redisTLS(), username: redisUser, password });
    await client.connect();
    try {
      await expect(client.config('GET', 'dir')).rejects.toThrow(/NOPERM/);
      await expect(client.set('elsewhere', 'x')).rejects.toThrow(/NOPERM/);
    } finally {
      client.disconnect();
    }
    // No command line shows the password (`ps` does).
    for (const r of running) expect(readFileSync(`/proc/${r.child.pid}/cmdline`, 'utf8')).not.toContain(password);
  }, 60000);

  it('never applies a stream entry the publisher did not sign; the publisher\'s entries still flow', async () => {
    const [a, b] = instances();
    await eventually(async () => (await feed(a)) === 'redis' && (await feed(b)) === 'redis', { what: 'both instances on the stream', timeoutMs: 60000 });
    expect((await call(a.spec.url, malloryToken, 'GET', '/api/v1/namespaces/kube-system/secrets')).status).toBe(403);
    for (const r of [a, b]) expect(r.output()).not.toMatch(/not authenticated/);

    // Someone with Redis access (here: even with the password) XADDs a ClusterRoleBinding that chains onto the last entry.
    const redis = redisClient({ tls: redisTLS(), username: redisUser, password: readSecret(files.redis.password) });
    await redis.connect();
    try {
      const key = streamKey(defaultFanoutOptions);
      const [lastId, lastFields] = await streamTop(redis, a);
      const last = Number(lastId.toString().split('-')[0]);
      const signature = lastFields[lastFields.findIndex((f, i) => i % 2 === 0 && f.toString() === 's') + 1];
      expect(signature).toHaveLength(32);
      const revision = last + 1;
      const binding = {
        apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding',
        metadata: { name: 'forged-admin', uid: '5d0a6f0e-0000-4000-8000-000000000001', creationTimestamp: new Date().toISOString() },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'mallory' }],
      };
      const events = encodeEvents([{ type: 'put', key: '/registry/clusterrolebindings/forged-admin', value: Buffer.from(JSON.stringify(binding)), modRevision: revision, createRevision: revision }]);
      // A valid chain, and a signature copied from a real entry.
      await redis.xadd(key, `${revision}-0`, 'p', String(last), 'e', events, 's', signature);
    } finally {
      redis.disconnect();
    }

    const forged = async (r: Running<ComponentSpec>) => (await call(r.spec.url, adminToken, 'GET', '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/forged-admin')).status !== 404;
    const refused = (r: Running<ComponentSpec>) => /not signed with the stream key/.test(r.output());
    // Either the reader refused the entry (logged) or it applied it: wait for one, then require the first.
    await eventually(async () => (refused(a) || await forged(a)) && (refused(b) || await forged(b)), { what: 'both readers past the forged entry', timeoutMs: 30000 });
    for (const r of [a, b]) {
      expect(await forged(r), `${r.spec.name} serves the forged binding`).toBe(false);
      expect((await call(r.spec.url, malloryToken, 'GET', '/api/v1/namespaces/kube-system/secrets')).status).toBe(403);
      expect(r.output()).toMatch(/entry \d+-0 is not signed with the stream key; not applied/);
    }

    // The publisher's entries flow again: both caches back on the stream, and a write through one is read through the other.
    for (let i = 0; i < 3; i++) {
      expect((await call(a.spec.url, adminToken, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: `after-forgery-${i}` } })).status).toBe(201);
    }
    await eventually(async () => (await feed(a)) === 'redis' && (await feed(b)) === 'redis', { what: 'both instances back on the stream', timeoutMs: 60000 });
    expect((await call(b.spec.url, adminToken, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'on-the-stream' } })).status).toBe(201);
    // resourceVersion=0: served from the cache as it is, so only the stream can have brought it.
    await eventually(async () => (await call(a.spec.url, adminToken, 'GET', '/api/v1/namespaces/default/configmaps?resourceVersion=0')).body.items
      .some((c: { metadata: { name: string } }) => c.metadata.name === 'on-the-stream'), { what: 'the write through b in a\'s cache' });
    expect(await feed(a)).toBe('redis');
    expect(await forged(a)).toBe(false);
  }, 180000);

  it('sends a reader back to etcd, not down, on an entry it cannot read', async () => {
    const [a, b] = instances();
    await eventually(async () => (await feed(a)) === 'redis' && (await feed(b)) === 'redis', { what: 'both instances on the stream', timeoutMs: 60000 });
    const redis = redisClient({ tls: redisTLS(), username: redisUser, password: readSecret(files.redis.password) });
    await redis.connect();
    try {
      const key = streamKey(defaultFanoutOptions);
      const [lastId] = await streamTop(redis, a);
      // No previous revision, no events: reading it used to throw outside any handler and end the process.
      await redis.xadd(key, `${Number(lastId.toString().split('-')[0]) + 1}-0`, 'x', 'y');
    } finally {
      redis.disconnect();
    }
    await eventually(() => a.output().includes('has no field') && b.output().includes('has no field'), { what: 'both readers refusing the entry' });
    expect((await call(a.spec.url, adminToken, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'after-garbage' } })).status).toBe(201);
    await eventually(async () => (await feed(a)) === 'redis' && (await feed(b)) === 'redis', { what: 'both instances back on the stream', timeoutMs: 60000 });
    for (const r of [a, b]) expect(r.exited()).toBe(false);
  }, 120000);
});
