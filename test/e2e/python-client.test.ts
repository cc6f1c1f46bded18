// The official Python client (PyPI `kubernetes`, installed by scripts/ensure-deps.mjs) watches
// ConfigMaps: every event reaches its plain watch loop as an event, and before the next write.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { repoRoot, startCluster, type TestCluster } from '../support/cluster.js';
import { api } from '../support/watch.js';

const python = path.join(repoRoot, '.tools/python/bin/python');
const script = path.join(repoRoot, 'test/e2e/python/watch_configmaps.py');

let cluster: TestCluster;
let watcher: ChildProcess | undefined;
beforeAll(async () => {
  cluster = await startCluster(1);
});
afterAll(async () => {
  watcher?.kill('SIGKILL');
  await cluster?.stop();
});

it('a watch.Watch().stream loop sees each event as an event, before the next write', async () => {
  await api(cluster.url, 'POST', '/api/v1/namespaces', { metadata: { name: 'py' } });
  const lines: Array<Record<string, unknown>> = [];
  let stderr = '';
  let exited: number | null | undefined;
  watcher = spawn(python, [script, cluster.url, 'py'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let buffered = '';
  watcher.stdout!.on('data', (d) => {
    buffered += String(d);
    let nl: number;
    while ((nl = buffered.indexOf('\n')) >= 0) {
      lines.push(JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>);
      buffered = buffered.slice(nl + 1);
    }
  });
  watcher.stderr!.on('data', (d) => (stderr += String(d)));
  watcher.on('exit', (code) => (exited = code));
  const until = async (what: string, check: () => boolean) => {
    const deadline = Date.now() + 20000;
    while (!check()) {
      if (exited !== undefined) throw new Error(`the Python watch loop exited (${exited}) waiting for ${what}:\n${stderr}`);
      if (Date.now() > deadline) throw new Error(`the Python watch loop never saw ${what}; it printed ${JSON.stringify(lines)}\n${stderr}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  await until('its list', () => lines.length > 0);

  // One write at a time: each event must be seen before the next write, since a chunk completed
  // only by the next write would leave the client one event behind.
  await api(cluster.url, 'POST', '/api/v1/namespaces/py/configmaps', { metadata: { name: 'a' }, data: { n: '0' } });
  await until('ADDED a', () => lines.some((l) => l.type === 'ADDED' && l.name === 'a'));
  for (let n = 1; n <= 3; n++) {
    const cur = await api(cluster.url, 'GET', '/api/v1/namespaces/py/configmaps/a');
    await api(cluster.url, 'PUT', '/api/v1/namespaces/py/configmaps/a', { ...cur, data: { n: String(n) } });
    await until(`MODIFIED a n=${n}`, () => lines.some((l) => l.type === 'MODIFIED' && (l.data as Record<string, string>)?.n === String(n)));
  }
  await api(cluster.url, 'DELETE', '/api/v1/namespaces/py/configmaps/a');
  await until('DELETED a', () => lines.some((l) => l.type === 'DELETED' && l.name === 'a'));

  expect(lines.slice(1).map((l) => `${l.type} ${l.name} ${(l.data as Record<string, string> | null)?.n}`)).toEqual([
    'ADDED a 0', 'MODIFIED a 1', 'MODIFIED a 2', 'MODIFIED a 3', 'DELETED a 3',
  ]);
  expect(exited).toBeUndefined();
});
