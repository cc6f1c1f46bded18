// The seed's worked example with the real Kubernetes components: `npm start -- --controllers` (the
// real kube-controller-manager and kube-scheduler v1.35 and kwok nodes, all through the load
// balancer), then kubectl: a Deployment makes a ReplicaSet and Pods, the scheduler binds them to kwok
// nodes, kwok runs them, `kubectl rollout status` completes, scale, drain (eviction), a foreground
// delete cleared by the real garbage collector, a namespace emptied by the real namespace controller.
// The binaries are built once by compose/kube/build.sh (npm test and .ci/run build them first).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.js';
import { kubectl, ok } from '../support/kubectl.js';
import { type LauncherResult, runLauncher, startLauncherOnFreePorts } from '../support/launcher.js';
import { gone } from '../support/pids.js';

interface StateFile { components: { name: string; role: string; pid: number; url: string }[]; supervisor: number }
interface Pod { metadata: { name: string; deletionTimestamp?: string }; spec: { nodeName?: string }; status: { phase?: string } }

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: { app: web }
  template:
    metadata:
      labels: { app: web }
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
`;

describe('the seed workflow with the real controller manager, scheduler and kwok', () => {
  let dir: string;
  let kubeconfig: string;
  let started: LauncherResult;
  const pids: number[] = [];
  const k = (...args: string[]) => kubectl(kubeconfig, args);
  const pods = (): Pod[] => (JSON.parse(ok(k('get', 'pods', '-l', 'app=web', '-o', 'json'))) as { items: Pod[] }).items;
  const running = (n: number) => () => {
    const live = pods().filter((p) => !p.metadata.deletionTimestamp);
    return live.length === n && live.every((p) => p.status.phase === 'Running' && p.spec.nodeName?.startsWith('kwok-node-'));
  };

  beforeAll(async () => {
    ({ dir, started } = await startLauncherOnFreePorts('controllers-e2e-', ['--controllers', '--etcd-members=1', '--apiservers=2']));
    kubeconfig = path.join(dir, 'kubeconfig');
    if (existsSync(path.join(dir, 'state.json'))) {
      const state = JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8')) as StateFile;
      pids.push(state.supervisor, ...state.components.map((c) => c.pid));
    }
    expect(started.stderr + started.stdout).toContain('kwok nodes registered');
    expect(started.code).toBe(0);
  }, 300000);

  afterAll(async () => {
    if (existsSync(path.join(dir, 'state.json'))) await runLauncher(['stop', `--cluster-dir=${dir}`]);
    for (const pid of pids) if (pid && !gone(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }, 60000);

  it('has Ready kwok nodes and the controller manager and scheduler holding their leases', async () => {
    await eventually(() => {
      const nodes = JSON.parse(ok(k('get', 'nodes', '-o', 'json'))) as { items: { status: { conditions?: { type: string; status: string }[] } }[] };
      return nodes.items.length === 2 && nodes.items.every((n) => n.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
    }, { timeoutMs: 60000, what: 'two Ready kwok nodes' });
    await eventually(() => {
      const leases = ok(k('get', 'leases', '-n', 'kube-system', '-o', 'name'));
      return leases.includes('lease.coordination.k8s.io/kube-controller-manager') && leases.includes('lease.coordination.k8s.io/kube-scheduler');
    }, { timeoutMs: 90000, what: 'the controller manager and scheduler leader leases' });
  }, 180000);

  it('kubectl create -f deployment.yaml: ReplicaSet, Pods bound to kwok nodes and Running, rollout status completes', async () => {
    ok(kubectl(kubeconfig, ['create', '-f', '-'], deployment));
    const rollout = k('rollout', 'status', 'deployment/web', '--timeout=50s');
    expect(rollout.stderr).toBe('');
    expect(rollout.stdout).toContain('successfully rolled out');
    await eventually(running(3), { timeoutMs: 60000, what: '3 Running pods on kwok nodes' });
    const rs = JSON.parse(ok(k('get', 'rs', '-l', 'app=web', '-o', 'json'))) as { items: { metadata: { ownerReferences: { kind: string; name: string }[] } }[] };
    expect(rs.items).toHaveLength(1);
    expect(rs.items[0].metadata.ownerReferences[0]).toMatchObject({ kind: 'Deployment', name: 'web' });
    expect(ok(k('get', 'pods', '-o', 'wide'))).toMatch(/web-\S+\s+1\/1\s+Running\s+0\s+\S+\s+\S+\s+kwok-node-/);
  }, 240000);

  it('scales', async () => {
    ok(k('scale', 'deployment/web', '--replicas=5'));
    expect(ok(k('rollout', 'status', 'deployment/web', '--timeout=50s'))).toContain('successfully rolled out');
    await eventually(running(5), { timeoutMs: 60000, what: '5 Running pods' });
  }, 240000);

  it('kubectl drain evicts a node\'s pods (pods/eviction) and they come back on the other node', async () => {
    const drain = k('drain', 'kwok-node-1', '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=120s');
    expect(drain.code, drain.stderr).toBe(0);
    expect(drain.stdout).toContain('node/kwok-node-1 drained');
    await eventually(() => running(5)() && pods().every((p) => p.spec.nodeName === 'kwok-node-2'), { timeoutMs: 90000, what: 'all 5 pods Running on kwok-node-2' });
    ok(k('uncordon', 'kwok-node-1'));
  }, 240000);

  it('a foreground delete removes the ReplicaSet and Pods first (the real garbage collector), then the Deployment', async () => {
    ok(k('delete', 'deployment/web', '--cascade=foreground', '--wait=false'));
    await eventually(() => {
      const left = ok(k('get', 'deployments,replicasets,pods', '-l', 'app=web', '-o', 'name')) + ok(k('get', 'deployments', '-o', 'name'));
      return left.trim() === '';
    }, { timeoutMs: 120000, what: 'the Deployment, its ReplicaSet and Pods gone' });
  }, 180000);

  it('deleting a namespace empties it through the real namespace controller and /finalize', async () => {
    ok(k('create', 'namespace', 'scratch'));
    ok(k('create', 'configmap', 'c1', '-n', 'scratch', '--from-literal=a=b'));
    ok(k('delete', 'namespace', 'scratch', '--wait=false'));
    await eventually(() => k('get', 'namespace', 'scratch').code !== 0, { timeoutMs: 120000, what: 'namespace scratch gone' });
    expect(k('get', 'configmap', 'c1', '-n', 'scratch').stderr).toContain('NotFound');
  }, 180000);

  it('a ValidatingAdmissionPolicy is type-checked by the real validatingadmissionpolicy-status-controller (status.typeChecking)', async () => {
    const policy = JSON.stringify({ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy', metadata: { name: 'typed' },
      spec: { matchConstraints: { resourceRules: [{ apiGroups: ['apps'], apiVersions: ['v1'], operations: ['CREATE'], resources: ['deployments'] }] },
        validations: [{ expression: 'object.spec.replicas <= 5' }, { expression: 'object.spec.noSuchField == 1' }] } });
    ok(kubectl(kubeconfig, ['create', '-f', '-'], policy));
    await eventually(() => k('get', 'validatingadmissionpolicy', 'typed', '-o', 'jsonpath={.status.observedGeneration}').stdout.trim() === '1',
      { timeoutMs: 60000, what: 'the status controller to observe the policy' });
    const warnings = ok(k('get', 'validatingadmissionpolicy', 'typed', '-o', 'jsonpath={.status.typeChecking.expressionWarnings[*].fieldRef}'));
    expect(warnings.trim()).toBe('spec.validations[1].expression');
    ok(k('delete', 'validatingadmissionpolicy', 'typed'));
  }, 90000);

  it('leaves no failing informer in the controller manager\'s or scheduler\'s log', () => {
    for (const name of ['kube-controller-manager', 'kube-scheduler']) {
      const log = readFileSync(path.join(dir, 'logs', `${name}.log`), 'utf8');
      const failing = log.split('\n').filter((l) => /Failed to watch|failed to list/.test(l));
      expect(failing, `${name}: ${failing.slice(0, 3).join('\n')}`).toEqual([]);
    }
  });
});
