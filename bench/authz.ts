// The cost of one RBAC authorize() call: kube's bootstrap policy (admin/edit/view aggregated as the
// controller would) plus --bindings extra RoleBindings and a tenth as many ClusterRoleBindings, all
// in the in-memory index the server keeps. Prints ns/op per case and saves the figures.
//   node dist/bench/authz.js [--bindings 1000] [--iterations 200000] [--out bench/results]
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { KubeObject } from '../server/api/object.js';
import type { Attributes } from '../server/authorization/authorizer.js';
import { PolicyIndex, type PolicyKind } from '../server/authorization/rbac/policy-index.js';
import { RBACAuthorizer } from '../server/authorization/rbac/rbac.js';
import { aggregatedRules } from '../server/resources/rbac/aggregation-controller.js';
import { bootstrapPolicy } from '../server/resources/rbac/bootstrap-policy.js';
import { repoRoot } from './runner/processes.js';
import { parseFlags } from './runner/flags.js';

interface Options { bindings: number; iterations: number; out: string }

function parseOptions(argv: string[]): Options {
  return parseFlags<Options>(argv, { bindings: 1000, iterations: 200_000, out: path.join(repoRoot, 'bench/results') },
    { '--bindings': 'bindings', '--iterations': 'iterations', '--out': 'out' }, ['out']);
}

const key = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
const ref = (kind: string, name: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind, name });

function loadPolicy(extra: number): PolicyIndex {
  const idx = new PolicyIndex();
  const policy = bootstrapPolicy();
  // admin gathers edit, which gathers view: passes until nothing changes, as the controller's events bring.
  let roles = policy.clusterroles;
  for (let changed = true; changed;) {
    const next = roles.map((r) => (r.aggregationRule ? { ...r, rules: aggregatedRules(r, roles) } : r));
    changed = JSON.stringify(next) !== JSON.stringify(roles);
    roles = next;
  }
  const all: Array<[PolicyKind, KubeObject[]]> = [['ClusterRole', roles], ['ClusterRoleBinding', policy.clusterrolebindings], ['Role', policy.roles], ['RoleBinding', policy.rolebindings]];
  for (const [kind, objs] of all) for (const o of objs) idx.set(kind, key(o), o);
  for (let i = 0; i < extra; i++) {
    const ns = `ns-${i % 100}`;
    idx.set('RoleBinding', `${ns}/rb-${i}`, { metadata: { name: `rb-${i}`, namespace: ns }, roleRef: ref('ClusterRole', ['view', 'edit', 'admin'][i % 3]),
      subjects: [{ kind: 'User', name: `user-${i}` }, { kind: 'Group', name: `team-${i % 50}` }, { kind: 'ServiceAccount', name: `sa-${i}`, namespace: ns }] });
    if (i % 10 === 0) idx.set('ClusterRoleBinding', `/crb-${i}`, { metadata: { name: `crb-${i}` }, roleRef: ref('ClusterRole', 'view'), subjects: [{ kind: 'Group', name: `team-${i % 50}` }] });
  }
  return idx;
}

function attrs(user: Attributes['user'], verb: string, namespace: string, resource: string, apiGroup = ''): Attributes {
  return { user, verb, isResourceRequest: true, path: '', namespace, apiGroup, apiVersion: 'v1', resource, subresource: '', name: '' };
}

function main(): void {
  const opts = parseOptions(process.argv.slice(2));
  const index = loadPolicy(opts.bindings);
  const rbac = new RBACAuthorizer(index);
  const authd = 'system:authenticated';
  const cases: Array<[string, Attributes, string]> = [
    ['namespace user allowed (RoleBinding to edit)', attrs({ name: 'user-1', groups: [authd] }, 'create', 'ns-1', 'configmaps'), 'allow'],
    ['namespace user refused (no rule matches)', attrs({ name: 'user-0', groups: ['team-0', authd] }, 'delete', 'ns-0', 'nodes'), 'no-opinion'],
    ['service account allowed', attrs({ name: 'system:serviceaccount:ns-2:sa-2', groups: ['system:serviceaccounts', 'system:serviceaccounts:ns-2', authd] }, 'list', 'ns-2', 'pods'), 'allow'],
    ['kube-scheduler allowed (ClusterRoleBinding)', attrs({ name: 'system:kube-scheduler', groups: [authd] }, 'create', 'default', 'bindings'), 'allow'],
    ['discovery for any user (non-resource)', { ...attrs({ name: 'nobody', groups: [authd] }, 'get', '', ''), isResourceRequest: false, path: '/apis/apps/v1' }, 'allow'],
  ];
  const results = cases.map(([name, a, expected]) => {
    const d = rbac.authorize(a);
    if (d.decision !== expected) throw new Error(`${name}: expected ${expected}, got ${d.decision} ${d.reason}`);
    for (let i = 0; i < 10_000; i++) rbac.authorize(a);
    const start = process.hrtime.bigint();
    for (let i = 0; i < opts.iterations; i++) rbac.authorize(a);
    const nsPerOp = Number(process.hrtime.bigint() - start) / opts.iterations;
    return { case: name, decision: d.decision, nsPerOp: Math.round(nsPerOp) };
  });
  const size = index.size;
  const lines = [`authorize() with the bootstrap policy + ${opts.bindings} RoleBindings (${JSON.stringify(size)}), ${opts.iterations} calls each:`,
    ...results.map((r) => `  ${r.case.padEnd(48)} ${String(r.nsPerOp).padStart(7)} ns/op  (${r.decision})`)];
  const text = lines.join('\n');
  console.log(text);
  mkdirSync(opts.out, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  writeFileSync(path.join(opts.out, `authz-${stamp}.json`), `${JSON.stringify({ options: { bindings: opts.bindings, iterations: opts.iterations }, policy: size, node: process.version, results }, null, 2)}\n`);
  writeFileSync(path.join(opts.out, 'authz-latest.txt'), `${text}\n`);
}

main();
