// Custom resources as a new user meets them, with the real kubectl 1.35: the CRD is created through
// one API server and its custom resources used through another (two processes on one etcd), so
// serving them can only come through the watch, not process memory.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startCluster, type TestCluster, writeKubeconfig } from '../support/cluster.js';
import { eventually } from '../support/eventually.js';
import { kubectl, ok } from '../support/kubectl.js';

let cluster: TestCluster;
/** kubectl on the first instance, where the CRD is created. */
let k1: (...args: string[]) => ReturnType<typeof kubectl>;
/** kubectl on the second instance, where its custom resources are used. */
let k2: (...args: string[]) => ReturnType<typeof kubectl>;
let dir: string;

const crdFile = path.join(repoRoot, 'examples/crd/crontab-crd.yaml');
const crFile = path.join(repoRoot, 'examples/crd/crontab.yaml');

function file(name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}

const cronTab = (name: string, spec: string) => `apiVersion: stable.example.com/v1
kind: CronTab
metadata: {name: ${name}}
spec: ${spec}
`;

beforeAll(async () => {
  cluster = await startCluster(2);
  dir = cluster.dir;
  const second = writeKubeconfig(path.join(dir, 'kubeconfig-2'), cluster.apiservers[1].url);
  k1 = (...args: string[]) => kubectl(cluster.kubeconfig, args);
  k2 = (...args: string[]) => kubectl(second, args);
});
afterAll(async () => {
  await cluster?.stop();
});

describe('a CRD created on one instance, its custom resources used on another', () => {
  it('apply the CRD and wait for it to be established', () => {
    expect(ok(k1('apply', '-f', crdFile))).toBe('customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com created\n');
    expect(ok(k1('wait', '--for=condition=established', '--timeout=30s', 'crd/crontabs.stable.example.com')))
      .toBe('customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com condition met\n');
    const conditions = JSON.parse(ok(k1('get', 'crd', 'crontabs.stable.example.com', '-o', 'jsonpath={.status.conditions}'))) as Array<Record<string, string>>;
    expect(conditions.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['NamesAccepted', 'True', 'NoConflicts'], ['Established', 'True', 'InitialNamesAccepted'],
    ]);
  });

  it('the other instance serves it within about a second: discovery, api-resources, create', async () => {
    await eventually(() => k2('api-resources', '--api-group=stable.example.com').stdout.includes('CronTab'), { timeoutMs: 5000, what: 'crontabs in discovery on instance 2' });
    expect(ok(k2('api-resources', '--api-group=stable.example.com'))).toMatch(/^crontabs\s+ct\s+stable\.example\.com\/v1\s+true\s+CronTab$/m);
    expect(ok(k2('apply', '-f', crFile))).toBe('crontab.stable.example.com/nightly created\n');
  });

  it('defaults appear; printer columns show; short name and category work', () => {
    const obj = JSON.parse(ok(k2('get', 'ct', 'nightly', '-o', 'json'))) as { spec: Record<string, unknown> };
    expect(obj.spec).toEqual({ cronSpec: '0 3 * * *', replicas: 2, image: 'busybox:1.36', maxReplicas: 5 });
    expect(ok(k2('get', 'crontabs'))).toMatch(/^NAME\s+SCHEDULE\s+REPLICAS\s+AGE\nnightly\s+0 3 \* \* \*\s+2\s+\d+s\n$/);
    expect(ok(k2('get', 'ct', '-o', 'wide'))).toMatch(/^NAME\s+SCHEDULE\s+REPLICAS\s+IMAGE\s+AGE\nnightly\s+0 3 \* \* \*\s+2\s+busybox:1\.36\s+/);
    expect(ok(k2('get', 'all', '-o', 'name'))).toContain('crontab.stable.example.com/nightly');
    expect(ok(k2('get', 'ct', '--field-selector', 'spec.image=busybox:1.36', '-o', 'name'))).toBe('crontab.stable.example.com/nightly\n');
    expect(ok(k2('get', 'ct', '--field-selector', 'spec.image=nginx', '-o', 'name'))).toBe('');
  });

  it('describe and explain', () => {
    const d = ok(k2('describe', 'ct', 'nightly'));
    expect(d).toMatch(/^Name:\s+nightly$/m);
    expect(d).toMatch(/^Kind:\s+CronTab$/m);
    expect(d).toMatch(/^\s+Cron Spec:\s+0 3 \* \* \*$/m);
    const e = ok(k2('explain', 'crontabs.spec'));
    expect(e).toMatch(/^KIND:\s+CronTab$/m);
    expect(e).toMatch(/^\s+cronSpec\s+<string> -required-$/m);
    expect(e).toMatch(/^\s+replicas\s+<integer>$/m);
  });

  it('patch: merge and json work; strategic merge is 415', () => {
    expect(ok(k2('patch', 'ct', 'nightly', '--type=merge', '-p', '{"spec":{"replicas":3}}'))).toBe('crontab.stable.example.com/nightly patched\n');
    expect(ok(k2('patch', 'ct', 'nightly', '--type=json', '-p', '[{"op":"replace","path":"/spec/image","value":"nginx:1.27"}]'))).toBe('crontab.stable.example.com/nightly patched\n');
    expect(ok(k2('get', 'ct', 'nightly', '-o', 'jsonpath={.spec.replicas} {.spec.image}'))).toBe('3 nginx:1.27');
    const smp = k2('patch', 'ct', 'nightly', '-p', '{"spec":{"replicas":4}}');
    expect(smp.code).not.toBe(0);
    expect(smp.stderr).toContain('application/strategic-merge-patch+json is not supported by stable.example.com/v1, Kind=CronTab: the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml');
  });

  it('scale through the scale subresource; status is its own subresource', () => {
    expect(ok(k2('scale', 'ct', 'nightly', '--replicas=4'))).toBe('crontab.stable.example.com/nightly scaled\n');
    expect(ok(k1('get', 'ct', 'nightly', '-o', 'jsonpath={.spec.replicas}'))).toBe('4');
    // A main-resource write does not change status; a /status write does.
    ok(k2('patch', 'ct', 'nightly', '--type=merge', '-p', '{"status":{"replicas":9}}'));
    expect(ok(k2('get', 'ct', 'nightly', '-o', 'jsonpath={.status}'))).toBe('');
    ok(k2('patch', 'ct', 'nightly', '--subresource=status', '--type=merge', '-p', '{"status":{"replicas":4,"selector":"app=cron"}}'));
    expect(ok(k2('get', 'ct', 'nightly', '-o', 'jsonpath={.status.replicas}'))).toBe('4');
  });

  it('invalid custom resources are refused with the field named', () => {
    const range = k2('create', '-f', file('range.yaml', cronTab('range', '{cronSpec: "* * * * *", replicas: 20}')));
    expect(range.stderr).toContain('spec.replicas: Invalid value: 20: spec.replicas in body should be less than or equal to 10');
    const pattern = k2('create', '-f', file('pattern.yaml', cronTab('pattern', '{cronSpec: "every day"}')));
    expect(pattern.stderr).toContain('spec.cronSpec: Invalid value: "every day": spec.cronSpec in body should match');
    const cel = k2('create', '-f', file('cel.yaml', cronTab('cel', '{cronSpec: "* * * * *", replicas: 7, maxReplicas: 3}')));
    expect(cel.stderr).toContain('The CronTab "cel" is invalid: spec.replicas: Invalid value: replicas must not exceed maxReplicas');
    const unknown = k2('create', '--validate=strict', '-f', file('unknown.yaml', cronTab('unknown', '{cronSpec: "* * * * *", colour: red}')));
    expect(unknown.stderr).toContain('strict decoding error: unknown field "spec.colour"');
    const required = k2('create', '-f', file('required.yaml', cronTab('required', '{image: x}')));
    expect(required.stderr).toContain('spec.cronSpec: Required value');
    expect(ok(k2('get', 'ct', '-o', 'name'))).toBe('crontab.stable.example.com/nightly\n');
    // Without Strict the unknown field is pruned, with a warning.
    const pruned = k2('create', '--validate=false', '-f', file('pruned.yaml', cronTab('pruned', '{cronSpec: "* * * * *", colour: red}')));
    expect(pruned.code).toBe(0);
    expect(ok(k2('get', 'ct', 'pruned', '-o', 'jsonpath={.spec.colour}'))).toBe('');
    ok(k2('delete', 'ct', 'pruned'));
  });

  it('the deprecated version is served with its warning', () => {
    const r = k2('get', 'crontabs.v1beta1.stable.example.com', 'nightly', '-o', 'jsonpath={.apiVersion}');
    expect(r.stdout).toBe('stable.example.com/v1beta1');
    expect(r.stderr).toContain('Warning: stable.example.com/v1beta1 CronTab is deprecated; use stable.example.com/v1 CronTab');
  });

  it('a CRD whose names clash is not established; a non-structural one is refused', () => {
    const clash = file('clash.yaml', `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: othertabs.stable.example.com}
spec:
  group: stable.example.com
  scope: Cluster
  names: {plural: othertabs, kind: OtherTab, shortNames: [ct]}
  versions:
  - {name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}}
`);
    ok(k1('apply', '-f', clash));
    const status = JSON.parse(ok(k1('get', 'crd', 'othertabs.stable.example.com', '-o', 'jsonpath={.status}'))) as { conditions: Array<Record<string, string>> };
    expect(status.conditions.find((c) => c.type === 'NamesAccepted')).toMatchObject({ status: 'False', reason: 'ShortNamesConflict', message: '"ct" is already in use' });
    expect(status.conditions.find((c) => c.type === 'Established')).toMatchObject({ status: 'False', reason: 'NotAccepted' });
    ok(k1('delete', 'crd', 'othertabs.stable.example.com'));
    const nonStructural = k1('apply', '-f', file('nonstructural.yaml', `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: loosetabs.stable.example.com}
spec:
  group: stable.example.com
  scope: Namespaced
  names: {plural: loosetabs, kind: LooseTab}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, properties: {spec: {properties: {a: {type: string}}}}}}
`));
    expect(nonStructural.stderr).toContain('The CustomResourceDefinition "loosetabs.stable.example.com" is invalid: spec.validation.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields');
  });

  it('deleting the CRD removes its custom resources and stops serving them on every instance', async () => {
    ok(k2('create', '-f', file('second.yaml', cronTab('second', '{cronSpec: "* * * * *"}'))));
    expect(ok(k1('delete', 'crd', 'crontabs.stable.example.com'))).toBe('customresourcedefinition.apiextensions.k8s.io "crontabs.stable.example.com" deleted\n');
    for (const k of [k1, k2]) {
      await eventually(() => !k('api-resources', '--api-group=stable.example.com').stdout.includes('CronTab'), { timeoutMs: 5000, what: 'crontabs gone from discovery' });
      const gone = k('get', '--raw', '/apis/stable.example.com/v1/namespaces/default/crontabs');
      expect(gone.stderr).toBe('Error from server (NotFound): the server could not find the requested resource\n');
    }
    // Created again, nothing of the old custom resources is left.
    ok(k1('apply', '-f', crdFile));
    ok(k1('wait', '--for=condition=established', '--timeout=30s', 'crd/crontabs.stable.example.com'));
    await eventually(() => k2('get', 'crontabs', '-o', 'name').code === 0, { timeoutMs: 5000, what: 'crontabs served again on instance 2' });
    expect(ok(k2('get', 'crontabs', '-A', '-o', 'name'))).toBe('');
  });
});
