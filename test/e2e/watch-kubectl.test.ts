// kubectl's watch-based commands against the real kubectl 1.35: get -w, wait, --chunk-size.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { kubectlPath, startCluster, type TestCluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { kubectl } from '../support/kubectl.js';
import { api } from '../support/watch.js';

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startCluster(1);
});
afterAll(async () => {
  await cluster?.stop();
});

/** Runs kubectl in the background; resolves with its output when it exits. */
function background(args: string[]): { output: () => string; done: Promise<number>; kill: () => void } {
  const child = spawn(kubectlPath, args, { env: { ...process.env, KUBECONFIG: cluster.kubeconfig } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const done = new Promise<number>((resolve) => child.on('exit', (code) => resolve(code ?? -1)));
  return { output: () => out, done, kill: () => child.kill('SIGTERM') };
}

/** Waits until kubectl (run with -v=6) logs that its watch request was answered: from then on it sees every change. */
async function watching(w: { output: () => string }, what: string): Promise<void> {
  await eventually(() => /[?&]watch=true[^"]*" status="200 OK"/.test(w.output()), { what: `${what} to start watching` });
}

it('kubectl get -w --output-watch-events shows ADDED, MODIFIED and DELETED', async () => {
  // A first object that kubectl prints proves its list and watch are in place before the real writes.
  await api(cluster.url, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'a-first' } });
  const w = background(['get', 'configmaps', '-w', '--output-watch-events', '-n', 'default']);
  await eventually(() => /ADDED\s+a-first/.test(w.output()), { what: 'kubectl to print the first object' });
  const created = await api(cluster.url, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'watched' }, data: { a: '1' } });
  await api(cluster.url, 'PUT', '/api/v1/namespaces/default/configmaps/watched', { ...created, data: { a: '1', b: '2' } });
  await api(cluster.url, 'DELETE', '/api/v1/namespaces/default/configmaps/watched');
  await eventually(() => /DELETED\s+watched/.test(w.output()), { what: 'the DELETED line' });
  w.kill();
  const lines = w.output().split('\n').filter((l) => /\swatched\s/.test(l));
  expect(lines.map((l) => l.split(/\s+/)[0])).toEqual(['ADDED', 'MODIFIED', 'DELETED']);
  expect(w.output()).toMatch(/^EVENT\s+NAME\s+DATA\s+AGE$/m);
  expect(lines[1]).toMatch(/^MODIFIED\s+watched\s+2\s+/);
});

it('kubectl wait --for=delete, --for=jsonpath and --for=condition', async () => {
  await api(cluster.url, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'doomed' }, data: { a: 'x' } });
  const del = background(['wait', '--for=delete', 'configmap/doomed', '--timeout=60s', '-v=6']);
  await watching(del, 'kubectl wait --for=delete');
  await api(cluster.url, 'DELETE', '/api/v1/namespaces/default/configmaps/doomed');
  expect(await del.done).toBe(0);
  expect(del.output()).toContain('configmap/doomed condition met');

  const cm = await api(cluster.url, 'POST', '/api/v1/namespaces/default/configmaps', { metadata: { name: 'flag' }, data: { state: 'pending' } });
  const jp = background(['wait', '--for=jsonpath={.data.state}=done', 'configmap/flag', '--timeout=60s', '-v=6']);
  await watching(jp, 'kubectl wait --for=jsonpath');
  await api(cluster.url, 'PUT', '/api/v1/namespaces/default/configmaps/flag', { ...cm, data: { state: 'done' } });
  expect(await jp.done).toBe(0);
  expect(jp.output()).toContain('configmap/flag condition met');

  const pod = await api(cluster.url, 'POST', '/api/v1/namespaces/default/pods', { metadata: { name: 'waiter' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  const cond = background(['wait', '--for=condition=Ready', 'pod/waiter', '--timeout=60s', '-v=6']);
  await watching(cond, 'kubectl wait --for=condition');
  await api(cluster.url, 'PUT', '/api/v1/namespaces/default/pods/waiter/status', {
    ...pod, status: { ...pod.status, phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }] },
  });
  expect(await cond.done).toBe(0);
  expect(cond.output()).toContain('pod/waiter condition met');
});

it('kubectl get --chunk-size pages through everything', async () => {
  await api(cluster.url, 'POST', '/api/v1/namespaces', { metadata: { name: 'chunks' } });
  for (let i = 0; i < 7; i++) await api(cluster.url, 'POST', '/api/v1/namespaces/chunks/configmaps', { metadata: { name: `c-${i}` } });
  const r = kubectl(cluster.kubeconfig, ['get', 'configmaps', '-n', 'chunks', '--chunk-size=2', '-o', 'name', '-v=6']);
  expect(r.code).toBe(0);
  expect(r.stdout.trim().split('\n')).toEqual(Array.from({ length: 7 }, (_, i) => `configmap/c-${i}`));
  expect((r.stderr.match(/limit=2/g) ?? []).length).toBeGreaterThanOrEqual(4);
});
