// RBAC end to end on a real server (--authorization-mode=RBAC, a token file, TLS so kubectl sends
// its token): a namespace-scoped user may do what its Role grants and gets kube's 403 otherwise,
// bindings take effect without a restart, aggregation fills admin/edit/view, escalation is refused,
// and kubectl auth can-i / --list answer from the access reviews. Two instances share one etcd. Expected messages are kube
// v1.35.0's, taken from the real kube-apiserver with the same requests (impersonating alice).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Running, startOnFreePorts, startProcess, stopProcess, waitReady } from '../../compose/local/processes.js';
import { type Etcd, repoRoot, startEtcd } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { kubectl } from '../support/kubectl.js';

const tokens = { admin: 'admin-token', alice: 'alice-token', bob: 'bob-token' };
const rbac = '/apis/rbac.authorization.k8s.io/v1';

let dir: string;
let etcd: Etcd | undefined;
/** Two instances on one etcd, started at once: their bootstrap and aggregation race. */
const servers: Running[] = [];
const ports: number[] = [];
let kubeconfig: string;

interface Reply { status: number; body: Record<string, any> } // eslint-disable-line @typescript-eslint/no-explicit-any

function call(token: string, method: string, urlPath: string, body?: unknown, port = ports[0]): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = https.request({
      host: '127.0.0.1', port, path: urlPath, method, rejectUnauthorized: false,
      headers: { authorization: `Bearer ${token}`, accept: 'application/json', ...(data ? { 'content-type': 'application/json' } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let parsed: Record<string, unknown> = {};
        try { parsed = JSON.parse(text) as Record<string, unknown>; } catch { parsed = { text }; }
        resolve({ status: res.statusCode ?? 0, body: parsed });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

const admin = (method: string, p: string, body?: unknown) => call(tokens.admin, method, p, body);
const alice = (method: string, p: string, body?: unknown) => call(tokens.alice, method, p, body);
const as = (user: 'alice' | 'bob', ...args: string[]) => kubectl(kubeconfig, ['--context', user, ...args]);

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kats-rbac-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', path.join(dir, 'tls.key'), '-out', path.join(dir, 'tls.crt')], { stdio: 'ignore' });
  writeFileSync(path.join(dir, 'tokens.csv'), [
    `${tokens.admin},admin,1,"system:masters"`, `${tokens.alice},alice,2,"devs"`, `${tokens.bob},bob,3`, '',
  ].join('\n'));
  etcd = await startEtcd(dir);
  await Promise.all([0, 1].map((i) => startOnFreePorts(1, async ([p]) => {
    const r = startProcess({
      name: `apiserver on ${p}`, command: process.execPath,
      args: [path.join(repoRoot, 'dist/server/main.js'), `--etcd-servers=${etcd!.url}`, `--secure-port=${p}`, '--bind-address=127.0.0.1',
        `--tls-cert-file=${path.join(dir, 'tls.crt')}`, `--tls-private-key-file=${path.join(dir, 'tls.key')}`,
        `--token-auth-file=${path.join(dir, 'tokens.csv')}`, '--authorization-mode=RBAC', '--anonymous-auth=false'],
    });
    try {
      await waitReady(r, async () => r.output().includes(`serving on https://127.0.0.1:${p} `) && (await call(tokens.admin, 'GET', '/readyz', undefined, p)).status === 200, { timeoutMs: 60000 });
    } catch (e) {
      await stopProcess(r.child, 1000, 'SIGKILL');
      throw e;
    }
    servers[i] = r;
    ports[i] = p;
  })));
  const users = Object.entries(tokens).map(([u, t]) => `- name: ${u}\n  user: {token: ${t}}`).join('\n');
  const contexts = Object.keys(tokens).map((u) => `- context: {cluster: test, user: ${u}, namespace: ns1}\n  name: ${u}`).join('\n');
  kubeconfig = path.join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, `apiVersion: v1\nkind: Config\nclusters:\n- cluster: {server: "https://127.0.0.1:${ports[0]}", insecure-skip-tls-verify: true}\n  name: test\ncontexts:\n${contexts}\ncurrent-context: admin\nusers:\n${users}\n`);

  expect((await admin('POST', '/api/v1/namespaces', { metadata: { name: 'ns1' } })).status).toBe(201);
  expect((await admin('POST', `${rbac}/namespaces/ns1/roles`, { metadata: { name: 'dev' }, rules: [
    { apiGroups: [''], resources: ['pods', 'configmaps'], verbs: ['get', 'list', 'watch', 'create'] },
    { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: ['create', 'get', 'update'] },
  ] })).status).toBe(201);
  expect((await admin('POST', `${rbac}/namespaces/ns1/rolebindings`, { metadata: { name: 'dev' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'dev' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }] })).status).toBe(201);
}, 120000);

afterAll(async () => {
  await Promise.all(servers.map((r) => stopProcess(r.child)));
  await etcd?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('RBAC authorization', () => {
  it('allows what the Role grants and answers kube\'s 403 otherwise', async () => {
    await eventually(async () => (await alice('GET', '/api/v1/namespaces/ns1/pods')).status === 200, { what: 'alice may list pods in ns1' });
    expect((await alice('POST', '/api/v1/namespaces/ns1/configmaps', { metadata: { name: 'c1' } })).status).toBe(201);
    const cases: Array<[string, string]> = [
      ['/api/v1/namespaces/ns1/secrets', 'secrets is forbidden: User "alice" cannot list resource "secrets" in API group "" in the namespace "ns1"'],
      ['/api/v1/namespaces/ns2/pods', 'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "ns2"'],
      ['/api/v1/namespaces/ns1/pods/p1/log', 'pods "p1" is forbidden: User "alice" cannot get resource "pods/log" in API group "" in the namespace "ns1"'],
    ];
    for (const [p, message] of cases) {
      const r = await alice('GET', p);
      expect(r.status).toBe(403);
      expect(r.body.message).toBe(message);
    }
    // The bootstrap policy: any authenticated user may read /version and discovery (system:discovery, system:public-info-viewer).
    expect((await call(tokens.bob, 'GET', '/version')).status).toBe(200);
    expect((await call(tokens.bob, 'GET', '/apis')).status).toBe(200);
    expect((await call(tokens.bob, 'GET', '/api/v1/namespaces')).status).toBe(403);
    // Ready only once the bootstrap policy is in place, as kube's poststarthook check says.
    expect((await call(tokens.bob, 'GET', '/readyz?verbose')).body.text).toContain('[+]poststarthook/rbac/bootstrap-roles ok');
  });

  it('applies a binding added or removed without a restart, and aggregates view from its parts', async () => {
    const bobPods = async () => (await call(tokens.bob, 'GET', '/api/v1/namespaces/ns1/pods')).status;
    expect(await bobPods()).toBe(403);
    // view has no rules of its own: the aggregation controller gathers them.
    await eventually(async () => ((await admin('GET', `${rbac}/clusterroles/view`)).body.rules ?? []).length > 0, { what: 'view aggregated' });
    expect((await admin('POST', `${rbac}/namespaces/ns1/rolebindings`, { metadata: { name: 'bob-view' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'view' }, subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'bob' }] })).status).toBe(201);
    await eventually(async () => (await bobPods()) === 200, { what: 'bob allowed through the new binding' });
    // The other instance learns it through its own watch.
    await eventually(async () => (await call(tokens.bob, 'GET', '/api/v1/namespaces/ns1/pods', undefined, ports[1])).status === 200, { what: 'the binding on the second instance' });
    // A RoleBinding to a ClusterRole grants in its namespace only.
    expect((await call(tokens.bob, 'GET', '/api/v1/namespaces/default/pods')).status).toBe(403);

    // A new ClusterRole labelled for aggregation to view reaches view, and so bob.
    expect((await call(tokens.bob, 'GET', '/api/v1/namespaces/ns1/configmaps')).status).toBe(200);
    expect((await call(tokens.bob, 'GET', '/api/v1/namespaces/ns1/secrets')).status).toBe(403);
    expect((await admin('POST', `${rbac}/clusterroles`, { metadata: { name: 'secrets-to-view', labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } },
      rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['list'] }] })).status).toBe(201);
    await eventually(async () => (await call(tokens.bob, 'GET', '/api/v1/namespaces/ns1/secrets')).status === 200, { what: 'secrets aggregated into view' });
    expect((await admin('DELETE', `${rbac}/clusterroles/secrets-to-view`)).status).toBe(200);
    await eventually(async () => (await call(tokens.bob, 'GET', '/api/v1/namespaces/ns1/secrets')).status === 403, { what: 'secrets gone from view' });

    expect((await admin('DELETE', `${rbac}/namespaces/ns1/rolebindings/bob-view`)).status).toBe(200);
    await eventually(async () => (await bobPods()) === 403, { what: 'bob refused once the binding is gone' });
    await eventually(async () => (await call(tokens.bob, 'GET', '/api/v1/namespaces/ns1/pods', undefined, ports[1])).status === 403, { what: 'the removal on the second instance' });
  });

  it('refuses a role or binding that grants more than the writer holds, with kube\'s message', async () => {
    const groups = '(groups=["devs" "system:authenticated"])';
    const role = await alice('POST', `${rbac}/namespaces/ns1/roles`, { metadata: { name: 'sneaky' }, rules: [
      { apiGroups: [''], resources: ['secrets'], verbs: ['get', 'list'] }, { apiGroups: [''], resources: ['pods'], verbs: ['get', 'delete'] },
    ] });
    expect(role.status).toBe(403);
    expect(role.body.message).toBe(`roles.rbac.authorization.k8s.io "sneaky" is forbidden: user "alice" ${groups} is attempting to grant RBAC permissions not currently held:\n`
      + '{APIGroups:[""], Resources:["pods"], Verbs:["delete"]}\n{APIGroups:[""], Resources:["secrets"], Verbs:["get" "list"]}');
    // Within what alice holds it is fine.
    expect((await alice('POST', `${rbac}/namespaces/ns1/roles`, { metadata: { name: 'fine' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] })).status).toBe(201);

    expect((await admin('POST', `${rbac}/namespaces/ns1/roles`, { metadata: { name: 'big' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }] })).status).toBe(201);
    const bindingTo = (name: string, roleName: string) => ({ metadata: { name }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: roleName },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }] });
    const bind = await alice('POST', `${rbac}/namespaces/ns1/rolebindings`, bindingTo('b2', 'big'));
    expect(bind.status).toBe(403);
    expect(bind.body.message).toBe(`rolebindings.rbac.authorization.k8s.io "b2" is forbidden: user "alice" ${groups} is attempting to grant RBAC permissions not currently held:\n`
      + '{APIGroups:[""], Resources:["secrets"], Verbs:["get"]}');
    const missing = await alice('POST', `${rbac}/namespaces/ns1/rolebindings`, bindingTo('b3', 'missing'));
    expect([missing.status, missing.body.message]).toEqual([404, 'rolebindings.rbac.authorization.k8s.io "missing" not found']);

    // `bind` on the role lets alice bind it without holding its rules.
    expect((await admin('POST', `${rbac}/namespaces/ns1/roles`, { metadata: { name: 'binder' }, rules: [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['bind'], resourceNames: ['big'] }] })).status).toBe(201);
    expect((await admin('POST', `${rbac}/namespaces/ns1/rolebindings`, { ...bindingTo('binder', 'binder') })).status).toBe(201);
    await eventually(async () => (await alice('POST', `${rbac}/namespaces/ns1/rolebindings`, bindingTo('b2', 'big'))).status === 201, { what: 'alice binds big with bind' });
  });

  it('answers kubectl auth can-i and --list, and the reviews as kube validates them', async () => {
    expect(as('alice', 'auth', 'can-i', 'list', 'pods').stdout.trim()).toBe('yes');
    const no = as('alice', 'auth', 'can-i', 'delete', 'pods');
    expect([no.code, no.stdout.trim()]).toEqual([1, 'no']);
    expect(as('alice', 'auth', 'can-i', 'list', 'pods', '-n', 'default').stdout.trim()).toBe('no');
    const list = as('alice', 'auth', 'can-i', '--list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^configmaps\s+\[\]\s+\[\]\s+\[get list watch create\]$/m);
    expect(list.stdout).toMatch(/^selfsubjectaccessreviews\.authorization\.k8s\.io\s+\[\]\s+\[\]\s+\[create\]$/m);

    const sar = await admin('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { spec: { user: 'alice', groups: ['devs'], resourceAttributes: { verb: 'list', resource: 'pods', namespace: 'ns1' } } });
    expect(sar.status).toBe(201);
    expect(sar.body.status).toEqual({ allowed: true, reason: 'RBAC: allowed by RoleBinding "dev/ns1" of Role "dev" to User "alice"' });
    const invalid = await admin('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { spec: { user: 'alice' } });
    expect([invalid.status, invalid.body.message]).toEqual([422, '.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: null: exactly one of nonResourceAttributes or resourceAttributes must be specified']);
    const named = await admin('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { kind: 'SubjectAccessReview', apiVersion: 'authorization.k8s.io/v1', spec: { user: 'alice' } });
    expect([named.status, named.body.message]).toEqual([invalid.status, invalid.body.message]);
    const inPath = await admin('POST', '/apis/authorization.k8s.io/v1/namespaces/ns1/localsubjectaccessreviews', { spec: { user: 'alice', groups: ['devs'], resourceAttributes: { verb: 'list', resource: 'pods', namespace: 'ns1' } } });
    expect([inPath.status, inPath.body.metadata?.namespace, inPath.body.status?.allowed]).toEqual([201, 'ns1', true]);
    const selector = await alice('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { spec: { resourceAttributes: { verb: 'list', resource: 'pods', labelSelector: {} } } });
    expect([selector.status, selector.body.message]).toEqual([422, '.authorization.k8s.io "" is invalid: spec.resourceAttributes.labelSelector.requirements: Required value: when spec.resourceAttributes.labelSelector is specified, requirements or rawSelector is required']);
    const local = await admin('POST', '/apis/authorization.k8s.io/v1/namespaces/ns1/localsubjectaccessreviews', { spec: { user: 'alice', resourceAttributes: { verb: 'get', resource: 'pods', namespace: 'other' } } });
    expect([local.status, local.body.message]).toEqual([422, '.authorization.k8s.io "" is invalid: spec.resourceAttributes.namespace: Invalid value: "other": must match metadata.namespace']);
  });
});
