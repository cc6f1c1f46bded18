// The real extension API server: k8s.io/sample-apiserver v0.35.0 (built by compose/kube/build.sh
// sample-apiserver; `npm test` builds it) behind the launcher's LB and two instances, with its own etcd, the admin kubeconfig for delegated
// authentication (TokenReview) and authorization (SubjectAccessReview) and for its informers, trusting
// our front proxy through kube-system/extension-apiserver-authentication. Registered through an
// ExternalName Service at localhost. With kubectl as the original user: Flunders created, listed and
// watched, the kind in api-resources and explain; a user without RBAC refused; its outage contained to
// its group (503, Available=False) and recovered on its own.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readKubeconfig } from '../../pki/kubeconfig.js';
import { startProcess, stopProcess, waitReady, type Running } from '../../compose/local/processes.js';
import { kubectlPath, startEtcd, type Etcd } from '../support/cluster.js';
import { type LauncherCluster, runLauncher, startLauncherOnFreePorts } from '../support/launcher.js';
import { eventually } from '../support/eventually.js';
import { kubectlAsync, ok } from '../support/kubectl.js';
import { freePort } from '../support/ports.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const binary = path.join(os.homedir(), '.cache/kube-apiserver-ts/peer/v1.35.0/sample-apiserver');
const group = 'wardle.example.com';
const gv = `${group}/v1alpha1`;
const dir = mkdtempSync(path.join(os.tmpdir(), 'kats-sample-'));
const file = (name: string, text: string) => {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
};

let cluster: LauncherCluster;
let wardleEtcd: Etcd;
let sample: Running | undefined;
let samplePort: number;
/** The launcher's admin kubeconfig (a system:masters client certificate), pointing at the LB. */
let kubeconfig: string;
let nobodyKubeconfig: string;

const raw = async (urlPath: string) => kubectlAsync(kubeconfig, ['get', '--raw', urlPath]);

async function startSample(): Promise<void> {
  sample = startProcess({
    name: 'sample-apiserver', command: binary, args: [
      `--secure-port=${samplePort}`, `--etcd-servers=${wardleEtcd.url}`, `--cert-dir=${path.join(dir, 'sample-certs')}`,
      `--kubeconfig=${kubeconfig}`, `--authentication-kubeconfig=${kubeconfig}`, `--authorization-kubeconfig=${kubeconfig}`,
      // MutatingAdmissionPolicy's plugin watches its kinds, which this server does not serve yet (beta, off in kube too).
      '--disable-admission-plugins=MutatingAdmissionPolicy',
    ],
  });
  const running = sample;
  await waitReady(running, async () => new Promise<boolean>((resolve) => {
    https.get(`https://127.0.0.1:${samplePort}/readyz`, { rejectUnauthorized: false, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    }).on('error', () => resolve(false));
  }), { timeoutMs: 60_000 });
}

const deprecation = 'Warning: wardle.example.com/v1alpha1 Flunder is deprecated in v1.3+, unavailable in v1.10+';

/** The output of a kubectl run on Flunders: sample-apiserver's deprecation Warning, relayed by us, is its only stderr. */
function flunderOk(r: { code: number; stdout: string; stderr: string }): string {
  if (r.code !== 0 || r.stderr.trim() !== deprecation) throw new Error(`kubectl failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

const availability = async () => ((JSON.parse(ok(await raw(`/apis/apiregistration.k8s.io/v1/apiservices/v1alpha1.${group}`))) as Obj).status?.conditions ?? [])
  .find((c: Obj) => c.type === 'Available') as Obj | undefined;

beforeAll(async () => {
  if (!existsSync(binary)) throw new Error(`${binary} is missing: bash compose/kube/build.sh sample-apiserver`);
  // The launcher's secure topology: TLS, RBAC, the LB in front of two instances, the front-proxy PKI.
  cluster = await startLauncherOnFreePorts('sample-apiserver-e2e-', ['--etcd-members=1', '--no-redis', '--apiservers=2']);
  expect(cluster.started.code, cluster.started.stderr).toBe(0);
  kubeconfig = path.join(cluster.dir, 'kubeconfig');
  wardleEtcd = await startEtcd(dir);
  // A user without RBAC: a service account's token.
  ok(await kubectlAsync(kubeconfig, ['create', 'serviceaccount', 'nobody', '-n', 'default']));
  const token = ok(await kubectlAsync(kubeconfig, ['create', 'token', 'nobody', '-n', 'default'])).trim();
  const lb = readKubeconfig(kubeconfig);
  nobodyKubeconfig = file('nobody.kubeconfig', [
    'apiVersion: v1', 'kind: Config',
    'clusters:', `- cluster: {server: "${lb.server}", certificate-authority-data: "${lb.ca!.toString('base64')}"}`, '  name: test',
    'contexts:', '- context: {cluster: test, user: nobody, namespace: default}', '  name: test',
    'current-context: test',
    'users:', '- name: nobody', `  user: {token: ${token}}`, '',
  ].join('\n'));
  await eventually(async () => (await raw('/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication')).code === 0, { what: 'the authentication ConfigMap' });
  samplePort = await freePort();
  await startSample();
  // One object at a time: kubectl validates a List against /openapi/v2, which this server serves as JSON only.
  for (const obj of [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'wardle' } },
    { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'wardle' }, spec: { type: 'ExternalName', externalName: 'localhost', ports: [{ port: samplePort }] } },
    { apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService', metadata: { name: `v1alpha1.${group}` },
      spec: { group, version: 'v1alpha1', groupPriorityMinimum: 1000, versionPriority: 15, insecureSkipTLSVerify: true, service: { namespace: 'wardle', name: 'api', port: samplePort } } },
  ]) ok(await kubectlAsync(kubeconfig, ['create', '-f', '-'], JSON.stringify(obj)));
}, 300_000);

afterAll(async () => {
  if (sample) await stopProcess(sample.child);
  await wardleEtcd?.stop();
  if (cluster && existsSync(path.join(cluster.dir, 'state.json'))) await runLauncher(['stop', `--cluster-dir=${cluster.dir}`]);
  if (cluster) rmSync(cluster.dir, { recursive: true, force: true });
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

it('sample-apiserver registered: Available, its kinds discovered and explained, Flunders created, listed and watched as the user', async () => {
  await eventually(async () => (await availability())?.status === 'True', { what: 'Available=True', timeoutMs: 60_000 });
  await eventually(async () => /flunders\s+wardle\.example\.com\/v1alpha1\s+true\s+Flunder/.test((await kubectlAsync(kubeconfig, ['api-resources', `--api-group=${group}`])).stdout),
    { what: 'flunders in api-resources' });
  expect(ok(await kubectlAsync(kubeconfig, ['explain', 'flunders.spec']))).toContain('reference');

  flunderOk(await kubectlAsync(kubeconfig, ['create', '-f', '-'], JSON.stringify({ apiVersion: gv, kind: 'Flunder', metadata: { name: 'my-first-flunder', namespace: 'default' }, spec: {} })));
  const list = flunderOk(await kubectlAsync(kubeconfig, ['get', 'flunders', '-o', 'jsonpath={.items[*].metadata.name}']));
  expect(list).toBe('my-first-flunder');
  // A watch (list, then watch) streams the creation of another, made once the watch has shown the first.
  const watch = spawn(kubectlPath, ['get', 'flunders', '--watch', '-o', 'jsonpath={.metadata.name}{"\\n"}'], { env: { ...process.env, KUBECONFIG: kubeconfig } });
  let watched = '';
  watch.stdout.on('data', (c: Buffer) => (watched += c.toString()));
  try {
    await eventually(() => watched.includes('my-first-flunder'), { what: 'the watch listing my-first-flunder' });
    flunderOk(await kubectlAsync(kubeconfig, ['create', '-f', '-'], JSON.stringify({ apiVersion: gv, kind: 'Flunder', metadata: { name: 'second', namespace: 'default' }, spec: {} })));
    await eventually(() => watched.includes('second'), { what: 'the watch event of second' });
  } finally {
    watch.kill();
  }
}, 180_000);

it('a user without RBAC is refused (403), as kube answers', async () => {
  const r = await kubectlAsync(nobodyKubeconfig, ['get', 'flunders']);
  expect(r.code).not.toBe(0);
  expect(r.stderr).toContain('flunders.wardle.example.com is forbidden: User "system:serviceaccount:default:nobody" cannot list resource "flunders" in API group "wardle.example.com" in the namespace "default"');
});

it('its outage: only its group answers 503 and Available=False; it recovers on its own', async () => {
  await stopProcess(sample!.child);
  sample = undefined;
  await eventually(async () => (await availability())?.status === 'False', { what: 'Available=False', timeoutMs: 60_000 });
  expect((await availability())?.reason).toBe('FailedDiscoveryCheck');
  const down = await raw(`/apis/${gv}/namespaces/default/flunders`);
  expect(down.code).not.toBe(0);
  expect(down.stderr).toContain('Error from server (ServiceUnavailable): the server is currently unable to handle the request');
  // Everything else is served.
  expect(ok(await kubectlAsync(kubeconfig, ['get', 'configmaps', '-n', 'kube-system', 'extension-apiserver-authentication', '-o', 'name']))).toContain('configmap/');
  await startSample();
  await eventually(async () => (await availability())?.status === 'True', { what: 'Available=True again', timeoutMs: 60_000 });
  expect(flunderOk(await kubectlAsync(kubeconfig, ['get', 'flunders', '-o', 'name']))).toContain('flunder.wardle.example.com/my-first-flunder');
}, 180_000);
