// The new user's tour with the real kubectl 1.35, as the core issue lists it, without --validate=false.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { kubectl, ok } from '../support/kubectl.js';

let cluster: TestCluster;
let k: (...args: string[]) => ReturnType<typeof kubectl>;
let appFile: string;

const app = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: tour
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: tour
  labels: {app: web}
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 80
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: tour
  labels: {app: web}
data:
  greeting: hello
`;

beforeAll(async () => {
  cluster = await startCluster(1);
  k = (...args: string[]) => kubectl(cluster.kubeconfig, args);
  appFile = path.join(cluster.dir, 'app.yaml');
  writeFileSync(appFile, app);
});
afterAll(async () => {
  await cluster?.stop();
});

describe('kubectl tour', () => {
  it('api-resources and api-versions', () => {
    const resources = ok(k('api-resources'));
    expect(resources).toMatch(/^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    expect(resources).toMatch(/^pods\s+po\s+v1\s+true\s+Pod$/m);
    expect(resources).toMatch(/^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
    const versions = ok(k('api-versions')).split('\n');
    expect(versions).toEqual(expect.arrayContaining(['v1', 'apps/v1', 'batch/v1', 'rbac.authorization.k8s.io/v1', 'autoscaling/v2']));
  });

  it('create namespace, create -f a multi-document YAML', () => {
    expect(ok(k('create', 'namespace', 'tour'))).toBe('namespace/tour created\n');
    expect(ok(k('create', '-f', appFile))).toBe('deployment.apps/web created\nservice/web created\nconfigmap/web-config created\n');
  });

  it('get: plain, wide, yaml, jsonpath, -A, -l, --field-selector', () => {
    const plain = ok(k('get', 'deployments', '-n', 'tour'));
    expect(plain).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s+0\/2\s+0\s+0\s+\S+\n$/);
    const wide = ok(k('get', 'deploy', 'web', '-n', 'tour', '-o', 'wide'));
    expect(wide).toMatch(/CONTAINERS\s+IMAGES\s+SELECTOR/);
    expect(wide).toMatch(/nginx\s+nginx:1\.27\s+app=web/);
    const yaml = ok(k('get', 'deploy', 'web', '-n', 'tour', '-o', 'yaml'));
    expect(yaml).toContain('kind: Deployment');
    expect(yaml).toContain('revisionHistoryLimit: 10');
    expect(yaml).toContain('type: RollingUpdate');
    expect(ok(k('get', 'svc', 'web', '-n', 'tour', '-o', 'jsonpath={.spec.clusterIP}'))).toMatch(/^10\.\d+\.\d+\.\d+$/);
    const all = ok(k('get', 'configmaps', '-A'));
    expect(all).toMatch(/^NAMESPACE\s+NAME\s+DATA\s+AGE$/m);
    expect(all).toMatch(/^tour\s+web-config\s+1\s+/m);
    expect(ok(k('get', 'all', '-n', 'tour', '-l', 'app=web', '-o', 'name')).split('\n').filter(Boolean).sort())
      .toEqual(['deployment.apps/web', 'service/web']);
    expect(ok(k('get', 'cm', '-n', 'tour', '--field-selector', 'metadata.name=web-config', '-o', 'name'))).toBe('configmap/web-config\n');
  });

  it('describe deployment and explain', () => {
    const d = ok(k('describe', 'deployment', 'web', '-n', 'tour'));
    expect(d).toMatch(/^Name:\s+web$/m);
    expect(d).toMatch(/^Namespace:\s+tour$/m);
    expect(d).toMatch(/^Replicas:\s+2 desired/m);
    expect(d).toMatch(/^StrategyType:\s+RollingUpdate$/m);
    expect(d).toMatch(/Image:\s+nginx:1\.27/);
    const e = ok(k('explain', 'deployment.spec.strategy'));
    expect(e).toMatch(/^GROUP:\s+apps$/m);
    expect(e).toMatch(/^KIND:\s+Deployment$/m);
    expect(e).toMatch(/^FIELD:\s+strategy <DeploymentStrategy>$/m);
    expect(e).toContain('rollingUpdate');
  });

  it('errors: AlreadyExists, Invalid with the field, NotFound', () => {
    const again = k('create', '-f', appFile);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('Error from server (AlreadyExists): error when creating');
    expect(again.stderr).toContain('deployments.apps "web" already exists');
    const invalid = kubectl(cluster.kubeconfig, ['create', '-f', '-'], `apiVersion: apps/v1
kind: Deployment
metadata: {name: broken, namespace: tour}
spec:
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: b}}
    spec:
      containers: [{name: c, image: busybox}]
`);
    expect(invalid.code).not.toBe(0);
    expect(invalid.stderr).toContain('The Deployment "broken" is invalid');
    expect(invalid.stderr).toContain('spec.template.metadata.labels');
    const missing = k('get', 'deploy', 'nope', '-n', 'tour');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toBe('Error from server (NotFound): deployments.apps "nope" not found\n');
  });

  it('a malformed body is 400 and a 4 MiB body is 413', () => {
    const bad = path.join(cluster.dir, 'bad.json');
    writeFileSync(bad, '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {');
    const r = k('create', '--raw', '/api/v1/namespaces/tour/configmaps', '-f', bad);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Error from server (BadRequest)');
    const big = path.join(cluster.dir, 'big.yaml');
    writeFileSync(big, `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big, namespace: tour}\ndata:\n  blob: ${'x'.repeat(4 * 1024 * 1024)}\n`);
    const tooLarge = k('create', '-f', big);
    expect(tooLarge.code).not.toBe(0);
    expect(tooLarge.stderr).toContain('Request entity too large: limit is 3145728');
    expect(k('get', 'cm', 'big', '-n', 'tour').code).not.toBe(0);
  });

  it('delete by name, by file, by label and --all', () => {
    ok(k('create', 'configmap', 'c1', '-n', 'tour', '--from-literal=a=b'));
    ok(k('create', 'configmap', 'c2', '-n', 'tour', '--from-literal=a=b'));
    ok(k('label', 'configmap', 'c2', '-n', 'tour', 'sweep=yes'));
    expect(ok(k('delete', 'configmap', 'c1', '-n', 'tour'))).toBe('configmap "c1" deleted from tour namespace\n');
    expect(ok(k('delete', 'configmap', '-n', 'tour', '-l', 'sweep=yes'))).toBe('configmap "c2" deleted from tour namespace\n');
    const byFile = ok(k('delete', '-f', appFile));
    expect(byFile).toContain('deployment.apps "web" deleted');
    expect(byFile).toContain('service "web" deleted');
    ok(k('create', 'configmap', 'c3', '-n', 'tour', '--from-literal=a=b'));
    expect(ok(k('delete', 'configmaps', '--all', '-n', 'tour'))).toContain('configmap "c3" deleted');
    expect(ok(k('delete', 'namespace', 'tour'))).toBe('namespace "tour" deleted\n');
  });
});
