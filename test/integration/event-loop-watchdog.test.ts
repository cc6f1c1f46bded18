// The event-loop watchdog on a real server: the process is stopped (SIGSTOP) past
// --event-loop-block-threshold, as a blocked loop would be; afterwards /livez and /readyz fail their
// `event-loop` check, the log names the last request that ran before the stall, and the check recovers.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ApiServerProcess, type Etcd, startApiServer, startEtcd } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';

let dir: string;
let etcd: Etcd;
let server: ApiServerProcess;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kats-watchdog-'));
  const tokens = path.join(dir, 'tokens.csv');
  writeFileSync(tokens, 'jane-token,jane,2,"dev"\n');
  etcd = await startEtcd(dir);
  server = await startApiServer(etcd.url, ['--event-loop-block-threshold=2s', `--token-auth-file=${tokens}`]);
}, 90000);

afterAll(async () => {
  if (server) process.kill(server.process.pid!, 'SIGCONT');
  await server?.stop();
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function get(p: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`${server.url}${p}`);
  return { status: res.status, body: await res.text() };
}

it('a blocked loop fails the event-loop check of /livez and /readyz, is logged with its request, and recovers', async () => {
  expect(await get('/livez?verbose')).toEqual({ status: 200, body: expect.stringContaining('[+]event-loop ok\n') });

  // The last request before the stall; nothing else reaches the server until it is stopped.
  const blocker = '/api/v1/namespaces/default/configmaps/the-blocker';
  expect((await fetch(`${server.url}${blocker}`, { headers: { Authorization: 'Bearer jane-token' } })).status).toBe(404);
  const pid = server.process.pid!;
  process.kill(pid, 'SIGSTOP');
  try {
    // The stimulus, not a wait for a condition: no timer can run in the stopped process for this long.
    await new Promise((r) => setTimeout(r, 3000));
  } finally {
    process.kill(pid, 'SIGCONT');
  }

  await eventually(() => /event loop blocked for \d+\.\ds; last request running before it: GET \/api\/v1\/namespaces\/default\/configmaps\/the-blocker user "jane"/.test(server.logs()),
    { what: 'the block logged with its request' });
  const livez = await get('/livez?verbose');
  expect(livez.status).toBe(500);
  expect(livez.body).toContain('[-]event-loop failed: reason withheld\n');
  expect(livez.body).toContain('[+]etcd ok\n');
  expect(livez.body).toContain('livez check failed');
  const readyz = await get('/readyz?verbose');
  expect(readyz.status).toBe(500);
  expect(readyz.body).toContain('[-]event-loop failed: reason withheld\n');
  const single = await get('/livez/event-loop');
  expect(single.status).toBe(500);
  expect(single.body).toMatch(/^internal server error: the event loop was blocked for \d+\.\ds, \d+\.\ds ago; last request running before it: GET .*the-blocker user "jane"\n$/);

  // One spike does not condemn the instance: the check passes again once the window has gone by.
  await eventually(async () => (await get('/livez')).status === 200, { what: '/livez healthy again', timeoutMs: 30000, intervalMs: 500 });
  expect(await get('/livez?verbose')).toEqual({ status: 200, body: expect.stringContaining('[+]event-loop ok\n') });
  expect((await get('/readyz')).status).toBe(200);
}, 120000);
