// The load balancer in front of real API server instances: requests spread across them, a kill -9
// is ejected within a second while reads keep succeeding, a refused connection is retried even for
// a POST, the stats endpoint, and draining on SIGTERM.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startApiServer, startCluster, type TestCluster } from '../support/cluster.js';
import { type LbProcess, startLb } from '../support/lb.js';
import { api, openWatch } from '../support/watch.js';

let cluster: TestCluster;
let lb: LbProcess;
beforeAll(async () => {
  cluster = await startCluster(3);
  lb = await startLb(cluster.apiservers.map((a) => a.url));
});
afterAll(async () => {
  await lb?.stop();
  await cluster?.stop();
});

const path = '/api/v1/namespaces/default/configmaps';

it('spreads requests across every instance', async () => {
  const before = (await lb.stats()).backends.map((b: any) => b.requests);
  for (let i = 0; i < 30; i++) await api(lb.url, 'GET', path);
  await Promise.all(Array.from({ length: 30 }, () => api(lb.url, 'GET', path)));
  const after = (await lb.stats()).backends.map((b: any) => b.requests);
  const served = after.map((n: number, i: number) => n - before[i]);
  expect(served.reduce((x: number, y: number) => x + y, 0)).toBe(60);
  for (const n of served) expect(n).toBeGreaterThanOrEqual(12);
});

it('the stats endpoint reports every instance', async () => {
  const s = await lb.stats();
  expect(s).toMatchObject({ draining: false, watches: { open: expect.any(Number), resumed: expect.any(Number), moved: expect.any(Number) } });
  expect(s.backends).toHaveLength(3);
  for (const b of s.backends) {
    expect(b).toMatchObject({
      url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), state: 'healthy', inFlight: expect.any(Number), openWatches: expect.any(Number),
      openTunnels: expect.any(Number), requests: expect.any(Number), requestsPerSecond: expect.any(Number), errors: expect.any(Number),
      latencyMs: { p50: expect.any(Number), p90: expect.any(Number), p99: expect.any(Number) },
    });
    expect(b.latencyMs.p50).toBeLessThanOrEqual(b.latencyMs.p99);
  }
  expect((await fetch(`${lb.url}/lb/healthz`)).status).toBe(200);
});

it('an instance killed with SIGKILL is ejected within a second and reads keep succeeding', async () => {
  const victim = cluster.apiservers[2];
  let failures = 0;
  let reads = 0;
  let running = true;
  const readers = Array.from({ length: 4 }, async () => {
    while (running) {
      const res = await fetch(`${lb.url}${path}`);
      await res.arrayBuffer();
      if (res.status === 200) reads++;
      else failures++;
    }
  });
  await new Promise((r) => setTimeout(r, 300));
  const killedAt = Date.now();
  victim.process.kill('SIGKILL');
  await lb.waitFor((s) => s.backends[2].state === 'ejected', 'the victim ejected', 3000);
  const ejectedAfter = Date.now() - killedAt;
  await new Promise((r) => setTimeout(r, 300));
  running = false;
  await Promise.all(readers);
  expect(ejectedAfter).toBeLessThan(1000);
  expect(failures).toBe(0);
  expect(reads).toBeGreaterThan(20);
  // Back when healthy again.
  cluster.apiservers[2] = await startApiServer(cluster.etcd.url, [], {}, victim.port);
  await lb.waitFor((s) => s.backends[2].state === 'healthy', 'the instance back', 3000);
});

it('a POST whose connection is refused goes to another instance, exactly once', async () => {
  // An LB that has not noticed yet (health checks far apart): the refused connection is the news.
  const slow = await startLb(cluster.apiservers.map((a) => a.url), ['--health-interval', '1h']);
  try {
    const victim = cluster.apiservers[1];
    await victim.stop();
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${slow.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ metadata: { name: `refused-${i}` } }) });
      expect(res.status).toBe(201);
    }
    const s = await slow.stats();
    expect(s.backends[1]).toMatchObject({ state: 'ejected', lastError: 'connect: ECONNREFUSED' });
  } finally {
    await slow.stop();
    cluster.apiservers[1] = await startApiServer(cluster.etcd.url, [], {}, cluster.apiservers[1].port);
  }
});

it('drains on SIGTERM: health fails first, in-flight requests finish, watches end cleanly, then it exits', async () => {
  const draining = await startLb(cluster.apiservers.map((a) => a.url), ['--shutdown-delay', '600ms']);
  const from = (await api(draining.url, 'GET', path)).metadata.resourceVersion;
  const w = await openWatch(`${draining.url}${path}?watch=1&resourceVersion=${from}`);
  // A request still in flight at SIGTERM: its body is only half sent.
  const http = await import('node:http');
  const body = JSON.stringify({ metadata: { name: 'drained' } });
  const inFlight = new Promise<number>((resolve, reject) => {
    const req = http.request(`${draining.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.write(body.slice(0, 10));
    setTimeout(() => req.end(body.slice(10)), 900);
  });
  await new Promise((r) => setTimeout(r, 100));
  const exited = draining.stop('SIGTERM');
  await new Promise((r) => setTimeout(r, 150));
  const health = await fetch(`${draining.url}/lb/healthz`);
  expect(health.status).toBe(503);
  expect((await fetch(`${draining.url}/readyz`)).status).toBe(503);
  await w.closed;
  expect(await inFlight).toBe(201);
  expect(await exited).toBe(0);
  await expect(fetch(`${draining.url}/lb/healthz`)).rejects.toThrow();
});
