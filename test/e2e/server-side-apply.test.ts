// Server-side apply through the real kubectl: two field managers conflict with kube's message,
// --force-conflicts takes the field, --show-managed-fields shows both managers, and client-side
// apply and edits keep working next to managedFields.
import { parse } from 'yaml';
import { expect, it } from 'vitest';
import { kubectlSession } from '../support/kubectl-session.js';

const { k, ok, file } = kubectlSession('ssa-kubectl');
const deployment = (replicas: number, image: string) => `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default, labels: {app: web}}
spec:
  replicas: ${replicas}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: nginx
        image: ${image}
        ports: [{containerPort: 80}]
`;

it('two managers: conflict with kube\'s message, --force-conflicts takes ownership, --show-managed-fields shows both', () => {
  expect(ok('apply', '--server-side', '--field-manager=alice', '-f', file('a.yaml', deployment(2, 'nginx:1')))).toBe('deployment.apps/web serverside-applied\n');

  const conflict = k('apply', '--server-side', '--field-manager=bob', '-f', file('b.yaml', deployment(3, 'nginx:2')));
  expect(conflict.code).toBe(1);
  expect(conflict.stderr).toContain('error: Apply failed with 2 conflicts: conflicts with "alice":\n- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image\nPlease review the fields above--they currently have other managers.');
  expect(ok('get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas}')).toBe('2');

  // Without the flag, kubectl hides them; with it, alice's Apply entry is kube's.
  expect(parse(ok('get', 'deploy', 'web', '-o', 'yaml')).metadata.managedFields).toBeUndefined();
  const before = parse(ok('get', 'deploy', 'web', '-o', 'yaml', '--show-managed-fields')).metadata.managedFields;
  expect(before).toEqual([{
    apiVersion: 'apps/v1', fieldsType: 'FieldsV1', manager: 'alice', operation: 'Apply', time: expect.any(String),
    fieldsV1: {
      'f:metadata': { 'f:labels': { 'f:app': {} } },
      'f:spec': {
        'f:replicas': {}, 'f:selector': {},
        'f:template': {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {}, 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } } } } },
        },
      },
    },
  }]);

  expect(ok('apply', '--server-side', '--field-manager=bob', '--force-conflicts', '-f', file('b.yaml', deployment(3, 'nginx:2')))).toBe('deployment.apps/web serverside-applied\n');
  const after = parse(ok('get', 'deploy', 'web', '-o', 'yaml', '--show-managed-fields'));
  expect(after.spec.replicas).toBe(3);
  expect(after.spec.template.spec.containers[0].image).toBe('nginx:2');
  const byManager = Object.fromEntries(after.metadata.managedFields.map((e: { manager: string }) => [e.manager, e]));
  expect(Object.keys(byManager).sort()).toEqual(['alice', 'bob']);
  expect(byManager.alice.fieldsV1['f:spec']['f:replicas']).toBeUndefined();
  expect(byManager.alice.fieldsV1['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"nginx"}']['f:image']).toBeUndefined();
  expect(byManager.bob.fieldsV1['f:spec']['f:replicas']).toEqual({});

  // alice now applies without the fields she lost: no conflict, and bob's values stay.
  ok('apply', '--server-side', '--field-manager=alice', '-f', file('a.yaml', deployment(3, 'nginx:2')));
  expect(ok('get', 'deploy', 'web', '-o', 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image}')).toBe('3 nginx:2');

  // kubectl scale writes through the scale subresource: kube records it so, without a time, and bob loses replicas.
  ok('scale', 'deploy', 'web', '--replicas=4');
  const scaled = parse(ok('get', 'deploy', 'web', '-o', 'yaml', '--show-managed-fields')).metadata.managedFields as Array<Record<string, any>>;
  expect(scaled.find((e) => e.subresource === 'scale')).toEqual({ apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } }, manager: 'kubectl', operation: 'Update', subresource: 'scale' });
  expect(scaled.find((e) => e.manager === 'bob')!.fieldsV1['f:spec']['f:replicas']).toBeUndefined();
});

it('records Update managers for kubectl create and client-side apply, and applies after them', () => {
  ok('create', 'configmap', 'cfg', '--from-literal=a=1', '--save-config');
  ok('apply', '-f', file('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg, namespace: default}\ndata: {a: "1", b: "2"}\n'));
  // As kube-apiserver v1.35.0 records them for the same commands.
  const mf = parse(ok('get', 'cm', 'cfg', '-o', 'yaml', '--show-managed-fields')).metadata.managedFields as Array<{ manager: string; fieldsV1: unknown }>;
  // (Entries sort by time in seconds, then by manager: both may fall in one second here.)
  expect(Object.fromEntries(mf.map((e) => [e.manager, e.fieldsV1]))).toEqual({
    'kubectl-create': { 'f:data': { '.': {}, 'f:a': {} }, 'f:metadata': { 'f:annotations': {} } },
    'kubectl-client-side-apply': { 'f:data': { 'f:b': {} }, 'f:metadata': { 'f:annotations': { 'f:kubectl.kubernetes.io/last-applied-configuration': {} } } },
  });

  // Server-side apply of a field an Update manager set: a conflict too, forced through.
  const conflict = k('apply', '--server-side', '--field-manager=carol', '-f', file('cm2.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {b: "3"}\n'));
  expect(conflict.stderr).toContain('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using v1: .data.b');
  ok('apply', '--server-side', '--field-manager=carol', '--force-conflicts', '-f', file('cm2.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cfg}\ndata: {b: "3"}\n'));
  expect(ok('get', 'cm', 'cfg', '-o', 'jsonpath={.data.a} {.data.b}')).toBe('1 3');
});

it('apply creates a missing object and dropping a field removes it', () => {
  const cm = (data: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fresh, namespace: default}\ndata: {${data}}\n`;
  ok('apply', '--server-side', '-f', file('f.yaml', cm('x: "1", y: "2"')));
  ok('apply', '--server-side', '-f', file('f.yaml', cm('x: "1"')));
  expect(ok('get', 'cm', 'fresh', '-o', 'json')).not.toContain('"y"');
  const mf = parse(ok('get', 'cm', 'fresh', '-o', 'yaml', '--show-managed-fields')).metadata.managedFields;
  expect(mf).toMatchObject([{ manager: 'kubectl', operation: 'Apply', fieldsV1: { 'f:data': { 'f:x': {} } } }]);
});

it('a Service re-applied with another port: the port it no longer applies is removed, the allocated clusterIP stays', () => {
  const svc = (port: number) => `apiVersion: v1\nkind: Service\nmetadata: {name: api, namespace: default}\nspec:\n  selector: {app: api}\n  ports: [{port: ${port}, targetPort: 8080}]\n`;
  ok('apply', '--server-side', '-f', file('svc.yaml', svc(80)));
  const ip = ok('get', 'svc', 'api', '-o', 'jsonpath={.spec.clusterIP}');
  expect(ip).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  const rv = ok('get', 'svc', 'api', '-o', 'jsonpath={.metadata.resourceVersion}');
  // The same configuration again changes nothing: no write, as kube.
  expect(ok('apply', '--server-side', '-f', file('svc.yaml', svc(80)))).toBe('service/api serverside-applied\n');
  expect(ok('get', 'svc', 'api', '-o', 'jsonpath={.metadata.resourceVersion}')).toBe(rv);
  ok('apply', '--server-side', '-f', file('svc.yaml', svc(81)));
  expect(ok('get', 'svc', 'api', '-o', 'jsonpath={.spec.ports[*].port} {.spec.clusterIP}')).toBe(`81 ${ip}`);
  const mf = parse(ok('get', 'svc', 'api', '-o', 'yaml', '--show-managed-fields')).metadata.managedFields;
  expect(mf).toHaveLength(1);
  // kube-apiserver v1.35.0's entry for the same applies (an atomic selector, ports keyed by port and defaulted protocol)
  expect(mf[0].fieldsV1).toEqual({ 'f:spec': { 'f:ports': { 'k:{"port":81,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:targetPort': {} } }, 'f:selector': {} } });
});

