// Workloads and the other named groups with the real kubectl 1.35: multi-document create, get/-o wide/describe,
// the scale subresource (kubectl scale PATCHes it; GET and PUT through --raw), and the messages for invalid objects.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { kubectl, ok } from '../support/kubectl.js';

let cluster: TestCluster;
let k: (...args: string[]) => ReturnType<typeof kubectl>;

const app = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: wl, labels: {app: web}}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: nginx, image: "nginx:1.27", ports: [{containerPort: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: wl}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 80}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: web-config, namespace: wl}
data: {greeting: hello}
`;

beforeAll(async () => {
  cluster = await startCluster(1);
  k = (...args: string[]) => kubectl(cluster.kubeconfig, args);
  writeFileSync(path.join(cluster.dir, 'app.yaml'), app);
});
afterAll(async () => {
  await cluster?.stop();
});

function fails(r: ReturnType<typeof kubectl>): string {
  expect(r.code).not.toBe(0);
  return r.stderr;
}

describe('workloads with kubectl', () => {
  it('create -f a Deployment, Service and ConfigMap; get, -o wide, describe', () => {
    ok(k('create', 'namespace', 'wl'));
    expect(ok(k('create', '-f', path.join(cluster.dir, 'app.yaml')))).toBe('deployment.apps/web created\nservice/web created\nconfigmap/web-config created\n');
    expect(ok(k('get', 'deploy', '-n', 'wl'))).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\nweb\s+0\/2\s+0\s+0\s+\d+s\n$/);
    expect(ok(k('get', 'deploy', '-n', 'wl', '-o', 'wide'))).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR\nweb\s+0\/2\s+0\s+0\s+\d+s\s+nginx\s+nginx:1\.27\s+app=web\n$/);
    const d = ok(k('describe', 'deployment', 'web', '-n', 'wl'));
    expect(d).toMatch(/^Selector:\s+app=web$/m);
    expect(d).toMatch(/^Replicas:\s+2 desired \| 0 updated \| 0 total \| 0 available \| 0 unavailable$/m);
    expect(d).toMatch(/^RollingUpdateStrategy:\s+25% max unavailable, 25% max surge$/m);
    expect(ok(k('get', 'deploy', 'web', '-n', 'wl', '-o', 'jsonpath={.metadata.generation} {.spec.progressDeadlineSeconds}'))).toBe('1 600');
  });

  it('scale: kubectl scale, GET and PUT of the Scale, invalid and stale Scales', () => {
    expect(ok(k('scale', 'deployment', 'web', '-n', 'wl', '--replicas=3'))).toBe('deployment.apps/web scaled\n');
    expect(ok(k('get', 'deploy', 'web', '-n', 'wl', '-o', 'jsonpath={.spec.replicas} {.metadata.generation}'))).toBe('3 2');
    const scale = JSON.parse(ok(k('get', '--raw', '/apis/apps/v1/namespaces/wl/deployments/web/scale')));
    expect(scale).toMatchObject({ kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: 'web', namespace: 'wl' }, spec: { replicas: 3 }, status: { replicas: 0, selector: 'app=web' } });
    expect(Object.keys(scale.metadata).sort()).toEqual(['creationTimestamp', 'name', 'namespace', 'resourceVersion', 'uid']);

    const file = path.join(cluster.dir, 'scale.json');
    writeFileSync(file, JSON.stringify({ ...scale, spec: { replicas: 5 } }));
    expect(JSON.parse(ok(k('replace', '--raw', '/apis/apps/v1/namespaces/wl/deployments/web/scale', '-f', file))).spec.replicas).toBe(5);
    expect(ok(k('get', 'deploy', 'web', '-n', 'wl', '-o', 'jsonpath={.spec.replicas}'))).toBe('5');
    // The resourceVersion we just used is now stale.
    expect(fails(k('replace', '--raw', '/apis/apps/v1/namespaces/wl/deployments/web/scale', '-f', file))).toContain('the object has been modified');
    writeFileSync(file, JSON.stringify({ kind: 'Scale', apiVersion: 'autoscaling/v1', metadata: { name: 'web', namespace: 'wl' }, spec: { replicas: -1 } }));
    expect(fails(k('replace', '--raw', '/apis/apps/v1/namespaces/wl/deployments/web/scale', '-f', file))).toContain('spec.replicas: Invalid value: -1: must be greater than or equal to 0');
    expect(fails(k('scale', 'deployment', 'nope', '-n', 'wl', '--replicas=1'))).toContain('deployments.apps "nope" not found');
  });

  it('an invalid Deployment, a selector change and a bad cron schedule are refused with kube-apiserver messages', () => {
    const deploy = fails(kubectl(cluster.kubeconfig, ['create', '-f', '-'], `apiVersion: apps/v1
kind: Deployment
metadata: {name: x, namespace: wl}
spec:
  selector: {matchLabels: {app: a}}
  template:
    metadata: {labels: {app: b}}
    spec: {containers: [{name: c, image: busybox}]}
`));
    expect(deploy).toContain('The Deployment "x" is invalid: spec.template.metadata.labels: Invalid value: {"app":"b"}: `selector` does not match template `labels`');
    const immutable = fails(k('patch', 'deploy', 'web', '-n', 'wl', '--type=merge', '-p', '{"spec":{"selector":{"matchLabels":{"app":"web","v":"2"}},"template":{"metadata":{"labels":{"app":"web","v":"2"}}}}}'));
    expect(immutable).toContain('spec.selector: Invalid value');
    expect(immutable).toContain('field is immutable');
    expect(fails(k('create', 'cronjob', 'cj', '-n', 'wl', '--image=busybox', '--schedule=every minute'))).toContain('spec.schedule: Invalid value: "every minute": expected exactly 5 fields, found 2: [every minute]');
  });

  it('jobs, cronjobs, statefulsets and daemonsets print their columns', () => {
    ok(k('create', 'job', 'once', '-n', 'wl', '--image=busybox', '--', 'true'));
    expect(ok(k('get', 'jobs', '-n', 'wl'))).toMatch(/^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE\nonce\s+Running\s+0\/1\s+\d+s\n$/);
    expect(ok(k('get', 'job', 'once', '-n', 'wl', '-o', 'jsonpath={.spec.template.metadata.labels.batch\\.kubernetes\\.io/job-name}'))).toBe('once');
    ok(k('create', 'cronjob', 'tick', '-n', 'wl', '--image=busybox', '--schedule=@hourly'));
    expect(ok(k('get', 'cj', '-n', 'wl'))).toMatch(/^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE\ntick\s+@hourly\s+<none>\s+False\s+0\s+<none>\s+\d+s\n$/);
    ok(kubectl(cluster.kubeconfig, ['create', '-f', '-'], `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: wl}
spec:
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: pg, image: "postgres:16"}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: wl}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec: {nodeSelector: {kubernetes.io/os: linux}, containers: [{name: a, image: busybox}]}
`));
    expect(ok(k('get', 'sts', '-n', 'wl', '-o', 'wide'))).toMatch(/^NAME\s+READY\s+AGE\s+CONTAINERS\s+IMAGES\ndb\s+0\/1\s+\d+s\s+pg\s+postgres:16\n$/);
    expect(ok(k('get', 'ds', '-n', 'wl'))).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE\nagent\s+0\s+0\s+0\s+0\s+0\s+kubernetes.io\/os=linux\s+\d+s\n$/);
    expect(ok(k('scale', 'sts', 'db', '-n', 'wl', '--replicas=2'))).toBe('statefulset.apps/db scaled\n');
    expect(ok(k('get', 'all', '-n', 'wl', '-o', 'name')).split('\n').filter(Boolean).sort()).toEqual([
      'cronjob.batch/tick', 'daemonset.apps/agent', 'deployment.apps/web', 'job.batch/once', 'service/web', 'statefulset.apps/db',
    ]);
  });

  it('an HPA made by kubectl autoscale is served as autoscaling/v2 and v1', () => {
    ok(k('autoscale', 'deployment', 'web', '-n', 'wl', '--min=2', '--max=6', '--cpu=60%'));
    expect(ok(k('get', 'hpa', '-n', 'wl'))).toMatch(/^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE\nweb\s+Deployment\/web\s+cpu: <unknown>\/60%\s+2\s+6\s+0\s+\d+s\n$/);
    const v1 = JSON.parse(ok(k('get', '--raw', '/apis/autoscaling/v1/namespaces/wl/horizontalpodautoscalers/web')));
    expect(v1).toMatchObject({ apiVersion: 'autoscaling/v1', spec: { minReplicas: 2, maxReplicas: 6, targetCPUUtilizationPercentage: 60 }, status: { currentReplicas: 0, desiredReplicas: 0 } });
    expect(ok(k('get', 'hpa.v2.autoscaling', 'web', '-n', 'wl', '-o', 'jsonpath={.spec.metrics[0].resource.target}'))).toBe('{"averageUtilization":60,"type":"Utilization"}');
  });

  it('rbac, networking, policy, scheduling and apiextensions from kubectl create', () => {
    ok(k('create', 'role', 'reader', '-n', 'wl', '--verb=get,list', '--resource=pods'));
    ok(k('create', 'rolebinding', 'reader', '-n', 'wl', '--role=reader', '--user=alice', '--serviceaccount=wl:robot'));
    expect(ok(k('get', 'rolebinding', '-n', 'wl', '-o', 'wide'))).toMatch(/^NAME\s+ROLE\s+AGE\s+USERS\s+GROUPS\s+SERVICEACCOUNTS\nreader\s+Role\/reader\s+\d+s\s+alice\s+wl\/robot\n$/);
    expect(ok(k('get', 'roles', '-n', 'wl'))).toMatch(/^NAME\s+CREATED AT\nreader\s+\d{4}-\d\d-\d\dT/);
    ok(k('create', 'ingress', 'web', '-n', 'wl', '--class=nginx', '--rule=web.example.com/*=web:80'));
    expect(ok(k('get', 'ing', '-n', 'wl'))).toMatch(/^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE\nweb\s+nginx\s+web\.example\.com\s+80\s+\d+s\n$/);
    ok(k('create', 'pdb', 'web', '-n', 'wl', '--selector=app=web', '--max-unavailable=1'));
    expect(ok(k('get', 'pdb', '-n', 'wl'))).toMatch(/^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE\nweb\s+N\/A\s+1\s+0\s+\d+s\n$/);
    expect(ok(k('get', 'pc'))).toMatch(/^NAME\s+VALUE\s+GLOBAL-DEFAULT\s+AGE\s+PREEMPTIONPOLICY\nsystem-cluster-critical\s+2000000000\s+false\s+\S+\s+PreemptLowerPriority\nsystem-node-critical\s+2000001000\s+false\s+\S+\s+PreemptLowerPriority\n$/);
    expect(fails(k('create', 'priorityclass', 'huge', '--value=2000000000'))).toContain('maximum allowed value of a user defined priority is 1000000000');
    ok(kubectl(cluster.kubeconfig, ['apply', '-f', '-'], `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, kind: Widget}
  versions: [{name: v1, served: true, storage: true, schema: {openAPIV3Schema: {type: object}}}]
`));
    expect(ok(k('get', 'crd'))).toMatch(/^NAME\s+CREATED AT\nwidgets\.example\.com\s+\d{4}-/);
    expect(ok(k('wait', '--for=condition=Established', 'crd/widgets.example.com', '--timeout=10s'))).toBe('customresourcedefinition.apiextensions.k8s.io/widgets.example.com condition met\n');
  });
});
