// core/v1 through the real kubectl: namespaces, pods, services and their tables, namespace deletion.
import { expect, it } from 'vitest';
import { kubectlSession } from '../support/kubectl-session.js';

const { k, ok, file } = kubectlSession('core-kubectl', ['--service-cluster-ip-range=10.96.0.0/12']);
const rows = (out: string) => out.trim().split('\n').map((l) => l.trim().split(/\s{2,}/));

it('creates a namespace, a pod and services, and prints them as kube-apiserver does', () => {
  expect(ok('create', 'namespace', 'x')).toBe('namespace/x created\n');
  expect(ok('get', 'ns', 'x', '-o', 'jsonpath={.status.phase}')).toBe('Active');
  ok('create', '-n', 'x', '-f', file('pod.yaml', `
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {run: web}
spec:
  containers:
  - name: web
    image: nginx:1.27
    ports: [{containerPort: 80}]
`));
  const wide = rows(ok('get', 'pods', '-n', 'x', '-o', 'wide'));
  expect(wide[0]).toEqual(['NAME', 'READY', 'STATUS', 'RESTARTS', 'AGE', 'IP', 'NODE', 'NOMINATED NODE', 'READINESS GATES']);
  expect(wide[1].slice(0, 4)).toEqual(['web', '0/1', 'Pending', '0']);
  expect(wide[1].slice(5)).toEqual(['<none>', '<none>', '<none>', '<none>']);
  expect(ok('get', 'pod', 'web', '-n', 'x', '-o', 'jsonpath={.spec.serviceAccountName} {.spec.containers[0].imagePullPolicy} {.status.qosClass}')).toBe('default IfNotPresent BestEffort');
  expect(ok('get', 'pods', '-n', 'x', '--field-selector', 'status.phase=Pending', '-o', 'name')).toBe('pod/web\n');

  ok('create', 'service', 'nodeport', 'web', '-n', 'x', '--tcp=80:8080');
  ok('create', '-n', 'x', '-f', file('svc.yaml', `
apiVersion: v1
kind: Service
metadata: {name: api}
spec:
  selector: {run: web}
  ports: [{name: http, port: 80}, {name: https, port: 443}]
`));
  const svcs = rows(ok('get', 'svc', '-n', 'x', '-o', 'wide'));
  expect(svcs[0]).toEqual(['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE', 'SELECTOR']);
  const api = svcs.find((r) => r[0] === 'api')!;
  expect(api[1]).toBe('ClusterIP');
  expect(api[2]).toMatch(/^10\.(9[6-9]|10\d|11[01])\.\d+\.\d+$/);
  expect([api[3], api[4], api[6]]).toEqual(['<none>', '80/TCP,443/TCP', 'run=web']);
  const web = svcs.find((r) => r[0] === 'web')!;
  expect(web[4]).toMatch(/^80:3\d{4}\/TCP$/);
  expect(ok('get', 'svc', 'kubernetes', '-n', 'default', '-o', 'jsonpath={.spec.clusterIP} {.spec.ports[0].port}')).toBe('10.96.0.1 443');
});

it('refuses what kube-apiserver refuses, with its messages', () => {
  const dup = k('create', '-n', 'x', '-f', file('bad.yaml', `
apiVersion: v1
kind: Pod
metadata: {name: bad}
spec:
  containers: [{name: a, image: a}, {name: a, image: ''}]
`));
  expect(dup.code).not.toBe(0);
  expect(dup.stderr).toContain('The Pod "bad" is invalid:');
  expect(dup.stderr).toContain('spec.containers[1].name: Duplicate value: "a"');
  expect(dup.stderr).toContain('spec.containers[1].image: Required value');
  const sys = k('delete', 'namespace', 'kube-public');
  expect(sys.stderr).toContain('namespaces "kube-public" is forbidden: this namespace may not be deleted');
});

it('deletes a namespace with everything in it', () => {
  expect(ok('delete', 'namespace', 'x')).toBe('namespace "x" deleted\n');
  expect(k('get', 'namespace', 'x').stderr).toContain('namespaces "x" not found');
  expect(ok('get', 'pods,svc', '-n', 'x', '-o', 'name')).toBe('');
  // The name is free again.
  expect(ok('create', 'namespace', 'x')).toBe('namespace/x created\n');
});
