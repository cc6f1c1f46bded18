// `kubectl drain` (the real kubectl 1.35) of a node whose pods a PodDisruptionBudget guards: it
// cordons the node and evicts through pods/eviction, retrying while the budget says no (429), as it
// does against kube-apiserver. No PDB controller runs here, so the test plays it: it writes the
// budget's status, as the disruption controller would.
/* eslint-disable @typescript-eslint/no-explicit-any */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { kubectl } from '../support/kubectl.js';
import { api } from '../support/watch.js';

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startCluster(1);
});
afterAll(async () => {
  await cluster?.stop();
});

const k = (...args: string[]) => kubectl(cluster.kubeconfig, args);
/** Reads through kubectl after a long kubectl run: a pooled fetch connection may have idled out meanwhile. */
function read(...args: string[]): any {
  const r = k('get', ...args, '-o', 'json');
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout);
}
const patchStatus = (path: string, status: unknown) =>
  fetch(`${cluster.url}${path}/status`, { method: 'PATCH', headers: { 'Content-Type': 'application/merge-patch+json' }, body: JSON.stringify({ status }) });

it('drains a node one disruption at a time, as the budget allows', async () => {
  const base = cluster.url;
  await api(base, 'POST', '/api/v1/namespaces', { metadata: { name: 'drain' } });
  await api(base, 'POST', '/api/v1/nodes', { metadata: { name: 'worker' } });
  for (const name of ['web-1', 'web-2']) {
    await api(base, 'POST', '/api/v1/namespaces/drain/pods', { metadata: { name, labels: { app: 'web' } }, spec: { nodeName: 'worker', containers: [{ name: 'c', image: 'nginx' }] } });
    // What the kubelet reports: running and ready, so the budget guards them.
    expect((await patchStatus(`/api/v1/namespaces/drain/pods/${name}`, { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] })).status).toBe(200);
  }
  await api(base, 'POST', '/apis/policy/v1/namespaces/drain/poddisruptionbudgets', { metadata: { name: 'web' }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } } });
  const budget = (disruptionsAllowed: number) => patchStatus('/apis/policy/v1/namespaces/drain/poddisruptionbudgets/web',
    { observedGeneration: 1, disruptionsAllowed, currentHealthy: 2, desiredHealthy: 1, expectedPods: 2 });
  expect((await budget(1)).status).toBe(200);

  // One eviction is allowed; the second is refused until the budget allows another. No kubelet will
  // finish a graceful deletion here, so the pods are evicted with a zero grace period.
  const first = k('drain', 'worker', '--force', '--grace-period=0', '--timeout=8s');
  expect(first.code).not.toBe(0);
  expect(first.stdout + first.stderr).toContain('node/worker cordoned');
  expect(first.stderr).toContain("Cannot evict pod as it would violate the pod's disruption budget.");
  const left = read('pods', '-n', 'drain').items.map((p: { metadata: { name: string } }) => p.metadata.name);
  expect(left).toHaveLength(1);
  const pdb = read('pdb', 'web', '-n', 'drain');
  expect(pdb.status.disruptionsAllowed).toBe(0);
  expect(Object.keys(pdb.status.disruptedPods)).toEqual(['web-1', 'web-2'].filter((n) => !left.includes(n)));
  expect(read('node', 'worker').spec.unschedulable).toBe(true);

  // The disruption controller would allow one again once the evicted pod is replaced elsewhere.
  const again = k('patch', 'pdb', 'web', '-n', 'drain', '--subresource=status', '--type=merge', '-p', '{"status":{"disruptionsAllowed":1}}');
  expect(again.stderr).toBe('');
  const second = k('drain', 'worker', '--force', '--grace-period=0', '--timeout=30s');
  // --force: bare pods (no controller) are named, then evicted like any other.
  expect(second.stderr).toBe(`Warning: deleting Pods that declare no controller: drain/${left[0]}\n`);
  expect(second.code).toBe(0);
  expect(second.stdout).toContain(`pod/${left[0]} evicted`);
  expect(second.stdout).toContain('node/worker drained');
  expect(read('pods', '-n', 'drain').items).toEqual([]);
}, 90_000);
