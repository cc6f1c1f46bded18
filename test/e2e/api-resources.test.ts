// `kubectl api-resources` against us lists what kube-apiserver 1.35 lists by default, row for row
// (name, short names, group/version, scope, kind), except the kinds later issues own.
//
// The fixture is kube's own answer, recorded once from the peer (bench/peer/peer.mjs):
//   node bench/peer/peer.mjs start --dir /tmp/peer        # prints {url, token, ...}
//   a kubeconfig with that url (insecure-skip-tls-verify: true) and `user: {token: <token>}`, then
//   KUBECONFIG=<it> .tools/layer/kubectl/kubectl api-resources > test/e2e/fixtures/kube-1.35-api-resources.txt
//   node bench/peer/peer.mjs stop --dir /tmp/peer
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { repoRoot, startCluster, type TestCluster } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { kubectl, ok } from '../support/kubectl.js';

/** Kinds later issues bring (authentication, authorization, certificates, admission, aggregation). */
const laterIssues = new Set([
  'mutatingadmissionpolicies',
]);

/** The table's rows as "name|shortnames|apiversion|namespaced|kind", cut at the header's column starts. */
function rows(table: string): Map<string, string> {
  const [header, ...lines] = table.trimEnd().split('\n');
  const starts = ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND'].map((h) => header.indexOf(h));
  const out = new Map<string, string>();
  for (const line of lines) {
    const cells = starts.map((s, i) => line.slice(s, starts[i + 1] ?? undefined).trim());
    out.set(`${cells[0]}.${cells[2]}`, cells.join('|'));
  }
  return out;
}

let cluster: TestCluster;
beforeAll(async () => {
  cluster = await startCluster(1);
});
afterAll(async () => {
  await cluster?.stop();
});

it('kubectl api-resources lists every kind kube-apiserver 1.35 serves by default, as kube lists it', () => {
  const kube = rows(readFileSync(path.join(repoRoot, 'test/e2e/fixtures/kube-1.35-api-resources.txt'), 'utf8'));
  const ours = rows(ok(kubectl(cluster.kubeconfig, ['api-resources'])));
  const name = (key: string) => key.split('.')[0];
  const wanted = [...kube.keys()].filter((key) => !laterIssues.has(name(key)));
  expect(wanted.length).toBeGreaterThan(40);
  const missing = wanted.filter((key) => !ours.has(key));
  expect(missing).toEqual([]);
  const differing = wanted.filter((key) => ours.has(key) && ours.get(key) !== kube.get(key)).map((key) => ({ ours: ours.get(key), kube: kube.get(key) }));
  expect(differing).toEqual([]);
  // Nothing kube does not serve by default.
  expect([...ours.keys()].filter((key) => !kube.has(key))).toEqual([]);
});

it('kubectl get prints the new kinds as kube does: the default ServiceCIDR and the kubernetes Service address', async () => {
  await eventually(() => kubectl(cluster.kubeconfig, ['get', 'servicecidr', 'kubernetes']).code === 0, { what: 'the default ServiceCIDR' });
  const get = (...args: string[]) => ok(kubectl(cluster.kubeconfig, ['get', ...args])).trimEnd().split('\n').map((l) => l.split(/\s{2,}/));
  // IPAddress has two columns (kube fills a third cell, AGE, that kubectl does not show).
  expect(get('ipaddresses')).toEqual([['NAME', 'PARENTREF'], ['10.96.0.1', 'services/default/kubernetes']]);
  expect(get('servicecidrs')).toEqual([['NAME', 'CIDRS', 'AGE'], ['kubernetes', '10.96.0.0/12', expect.stringMatching(/^\d+s$/)]]);
  const none = kubectl(cluster.kubeconfig, ['get', 'resourceslices,deviceclasses,runtimeclasses,csidrivers,volumeattachments']);
  expect([none.code, none.stdout, none.stderr]).toEqual([0, '', 'No resources found\n']);
});

it('kubectl get prints kube\'s flow control configuration and columns', async () => {
  await eventually(() => kubectl(cluster.kubeconfig, ['get', 'flowschema', 'global-default']).code === 0, { what: 'the APF bootstrap configuration' });
  const get = (...args: string[]) => ok(kubectl(cluster.kubeconfig, ['get', ...args])).trimEnd().split('\n').map((l) => l.split(/\s{2,}/));
  // As kube-apiserver 1.35 prints them (recorded from the peer), AGE aside; FlowSchemas in matching order.
  await eventually(() => get('flowschemas').slice(1).every((r) => r[5] === 'False'), { what: 'every FlowSchema found its level' });
  expect(get('flowschemas').map((r) => [...r.slice(0, 4), r[5]])).toEqual([
    ['NAME', 'PRIORITYLEVEL', 'MATCHINGPRECEDENCE', 'DISTINGUISHERMETHOD', 'MISSINGPL'],
    ['exempt', 'exempt', '1', '<none>', 'False'],
    ['probes', 'exempt', '2', '<none>', 'False'],
    ['system-leader-election', 'leader-election', '100', 'ByUser', 'False'],
    ['system-node-high', 'node-high', '400', 'ByUser', 'False'],
    ['system-nodes', 'system', '500', 'ByUser', 'False'],
    ['kube-controller-manager', 'workload-high', '800', 'ByNamespace', 'False'],
    ['kube-scheduler', 'workload-high', '800', 'ByNamespace', 'False'],
    ['kube-system-service-accounts', 'workload-high', '900', 'ByNamespace', 'False'],
    ['service-accounts', 'workload-low', '9000', 'ByUser', 'False'],
    ['global-default', 'global-default', '9900', 'ByUser', 'False'],
    ['catch-all', 'catch-all', '10000', 'ByUser', 'False'],
  ]);
  expect(get('prioritylevelconfigurations').map((r) => r.slice(0, 6))).toEqual([
    ['NAME', 'TYPE', 'NOMINALCONCURRENCYSHARES', 'QUEUES', 'HANDSIZE', 'QUEUELENGTHLIMIT'],
    ['catch-all', 'Limited', '5', '<none>', '<none>', '<none>'],
    ['exempt', 'Exempt', '<none>', '<none>', '<none>', '<none>'],
    ['global-default', 'Limited', '20', '128', '6', '50'],
    ['leader-election', 'Limited', '10', '16', '4', '50'],
    ['node-high', 'Limited', '40', '64', '6', '50'],
    ['system', 'Limited', '30', '64', '6', '50'],
    ['workload-high', 'Limited', '40', '128', '6', '50'],
    ['workload-low', 'Limited', '100', '128', '6', '50'],
  ]);
});
