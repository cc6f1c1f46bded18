// Graceful termination of one instance (SIGTERM): /readyz fails first while requests are still
// served, then its watches end cleanly (a client or the LB resumes elsewhere), then it exits 0.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ApiServerProcess, type Etcd, startApiServer, startEtcd } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';

let dir: string;
let etcd: Etcd;
let server: ApiServerProcess;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kats-shutdown-'));
  etcd = await startEtcd(dir);
  server = await startApiServer(etcd.url, ['--shutdown-delay-duration=2s']);
});

afterAll(async () => {
  await server?.stop();
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('fails /readyz at once, keeps serving for the delay, ends watches cleanly and exits 0', async () => {
  const res = await fetch(`${server.url}/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=0`);
  const reader = res.body!.getReader();
  // Resolves 'complete' when the response ends properly (the last chunk arrived), 'reset' otherwise.
  const ending = (async () => {
    try {
      for (;;) if ((await reader.read()).done) return 'complete';
    } catch {
      return 'reset';
    }
  })();
  const exited = new Promise<number | null>((resolve) => server.process.once('exit', (code) => resolve(code)));
  server.process.kill('SIGTERM');
  await eventually(async () => (await fetch(`${server.url}/readyz`)).status === 500, { what: '/readyz failing after SIGTERM', timeoutMs: 1500, intervalMs: 50 });
  const verbose = await (await fetch(`${server.url}/readyz?verbose`)).text();
  expect(verbose).toContain('[-]shutdown failed');
  // Still serving while load balancers take it out.
  expect((await fetch(`${server.url}/api/v1/namespaces/default/configmaps`)).status).toBe(200);
  expect((await fetch(`${server.url}/livez`)).status).toBe(200);
  // The watch ends as a complete response (no reset), so a client resumes elsewhere.
  expect(await ending).toBe('complete');
  expect(await exited).toBe(0);
});
