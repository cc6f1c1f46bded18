// kubectl 1.35 against the served OpenAPI: explain reads the v3 documents, and create/apply validate
// fields on the server (fieldValidation=Strict) because the v3 documents say the server can.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { kubectl } from '../support/kubectl.js';

let cluster: TestCluster;
let k: (...args: string[]) => ReturnType<typeof kubectl>;

function manifest(name: string, text: string): string {
  const file = path.join(cluster.dir, name);
  writeFileSync(file, text);
  return file;
}

beforeAll(async () => {
  cluster = await startCluster(1);
  k = (...args: string[]) => kubectl(cluster.kubeconfig, args);
});
afterAll(async () => {
  await cluster?.stop();
});

describe('kubectl explain', () => {
  it('explains deployment.spec.strategy with the field and type docs', () => {
    const r = k('explain', 'deployment.spec.strategy');
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^GROUP:\s+apps$/m);
    expect(r.stdout).toMatch(/^KIND:\s+Deployment$/m);
    expect(r.stdout).toMatch(/^VERSION:\s+v1$/m);
    expect(r.stdout).toContain('FIELD: strategy <DeploymentStrategy>');
    expect(r.stdout).toContain('The deployment strategy to use to replace existing pods with new ones.');
    expect(r.stdout).toMatch(/^\s+rollingUpdate\t<RollingUpdateDeployment>$/m);
    expect(r.stdout).toMatch(/^\s+type\t<string>$/m);
  });

  it('names int-or-string and Quantity fields', () => {
    expect(k('explain', 'deployment.spec.strategy.rollingUpdate').stdout).toMatch(/^\s+maxSurge\t<IntOrString>$/m);
    expect(k('explain', 'pod.spec.containers.resources').stdout).toMatch(/^\s+limits\t<map\[string\]Quantity>$/m);
  });

  it('explains core kinds, marking required fields', () => {
    const r = k('explain', 'configmap.data');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^KIND:\s+ConfigMap$/m);
    expect(r.stdout).toContain('FIELD: data <map[string]string>');
    expect(k('explain', 'pod.spec').stdout).toMatch(/^\s+containers\t<\[\]Container> -required-$/m);
  });
});

describe('kubectl create/apply with server-side field validation', () => {
  it('creates a configmap', () => {
    const file = manifest('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: plain}\ndata: {a: b}\n');
    const r = k('create', '-f', file);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('configmap/plain created');
  });

  it('refuses an unknown field with the strict decoding error', () => {
    const file = manifest('cm-unknown.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: odd}\ndata: {a: b}\nbogus: true\n');
    const r = k('create', '-f', file);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`Error from server (BadRequest): error when creating "${file}": ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus"`);
    expect(k('get', 'configmap', 'odd').code).not.toBe(0);
    // --validate=warn asks for warnings instead, and the object is created without the field.
    const warned = k('apply', '--validate=warn', '-f', file);
    expect(warned.stderr).toContain('Warning: unknown field "bogus"');
    expect(warned.stdout.trim()).toBe('configmap/odd created');
  });

  it('reports a wrong type as the decode error and a missing container as Required', () => {
    const deploy = (replicas: string, podSpec: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: ${podSpec}
`;
    const typed = k('create', '-f', manifest('d1.yaml', deploy('"3"', '{containers: [{name: web, image: nginx}]}')));
    expect(typed.stderr).toContain('Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
    const empty = k('create', '-f', manifest('d2.yaml', deploy('1', '{}')));
    expect(empty.stderr).toContain('The Deployment "web" is invalid: spec.template.spec.containers: Required value');
    const good = k('apply', '-f', manifest('d3.yaml', deploy('1', '{containers: [{name: web, image: nginx, resources: {limits: {cpu: 1}}}]}')));
    expect(good.stderr).toBe('');
    expect(good.stdout.trim()).toBe('deployment.apps/web created');
  });
});
