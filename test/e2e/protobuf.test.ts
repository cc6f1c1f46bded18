// kubectl 1.35's typed clients (`kubectl create namespace|configmap|secret|deployment|...`) POST
// protobuf bodies; the server decodes them and answers JSON.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProtobuf, protobufRoot } from '../../server/protobuf/decode.js';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { kubectl, ok } from '../support/kubectl.js';

let cluster: TestCluster;
let k: (...args: string[]) => ReturnType<typeof kubectl>;

beforeAll(async () => {
  cluster = await startCluster(1);
  k = (...args: string[]) => kubectl(cluster.kubeconfig, args);
});
afterAll(async () => {
  await cluster?.stop();
});

function getJSON(...args: string[]): Record<string, any> {
  return JSON.parse(ok(k('get', ...args, '-o', 'json'))) as Record<string, any>;
}

/** `k8s\0` + runtime.Unknown around one object, as client-go encodes it. */
function protobufBody(apiVersion: string, kind: string, typeName: string, object: Record<string, unknown>): Buffer {
  const root = protobufRoot();
  const type = root.lookupType(typeName);
  const unknown = root.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
  const raw = type.encode(type.fromObject(object)).finish();
  return Buffer.concat([Buffer.from('k8s\0', 'binary'), unknown.encode(unknown.fromObject({ typeMeta: { apiVersion, kind }, raw })).finish()]);
}

describe('protobuf request bodies from kubectl', () => {
  it('create namespace sends protobuf and the namespace is created', () => {
    const r = k('create', 'namespace', 'team-a', '-v=8');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Content-Type: application/vnd.kubernetes.protobuf');
    expect(r.stdout).toContain('namespace/team-a created');
    const ns = getJSON('namespace', 'team-a');
    expect(ns.metadata.name).toBe('team-a');
    expect(ns.status.phase).toBe('Active');
  });

  it('create configmap with literals and a binary file', () => {
    const file = path.join(cluster.dir, 'bin.dat');
    writeFileSync(file, Buffer.from([0, 1, 255]));
    ok(k('create', 'configmap', 'c1', '--from-literal=a=b', `--from-file=bin=${file}`, '-n', 'team-a'));
    const cm = getJSON('configmap', 'c1', '-n', 'team-a');
    expect(cm.data).toEqual({ a: 'b' });
    expect(cm.binaryData).toEqual({ bin: Buffer.from([0, 1, 255]).toString('base64') });
  });

  it('create secret generic', () => {
    ok(k('create', 'secret', 'generic', 's1', '--from-literal=p=q', '-n', 'team-a'));
    const secret = getJSON('secret', 's1', '-n', 'team-a');
    expect(secret.data).toEqual({ p: Buffer.from('q').toString('base64') });
    expect(secret.type).toBe('Opaque');
  });

  it('create deployment, service, job, cronjob', () => {
    ok(k('create', 'deployment', 'web', '--image=nginx:1.27', '--replicas=2', '--port=80', '-n', 'team-a'));
    const deploy = getJSON('deployment', 'web', '-n', 'team-a');
    expect(deploy.spec.replicas).toBe(2);
    expect(deploy.spec.selector).toEqual({ matchLabels: { app: 'web' } });
    expect(deploy.spec.template.spec.containers[0]).toMatchObject({ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80, protocol: 'TCP' }] });

    ok(k('create', 'service', 'clusterip', 'web', '--tcp=80:8080', '-n', 'team-a'));
    const svc = getJSON('service', 'web', '-n', 'team-a');
    expect(svc.spec.ports).toEqual([{ name: '80-8080', port: 80, protocol: 'TCP', targetPort: 8080 }]);

    ok(k('create', 'job', 'j1', '--image=busybox', '-n', 'team-a', '--', 'echo', 'hi'));
    expect(getJSON('job', 'j1', '-n', 'team-a').spec.template.spec.containers[0].command).toEqual(['echo', 'hi']);

    ok(k('create', 'cronjob', 'cj1', '--image=busybox', '--schedule=*/5 * * * *', '-n', 'team-a'));
    expect(getJSON('cronjob', 'cj1', '-n', 'team-a').spec.schedule).toBe('*/5 * * * *');
  });

  it('create role, rolebinding, quota (quantities), pdb (int-or-string)', () => {
    ok(k('create', 'role', 'r1', '--verb=get,list', '--resource=pods', '-n', 'team-a'));
    expect(getJSON('role', 'r1', '-n', 'team-a').rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }]);
    ok(k('create', 'rolebinding', 'rb1', '--role=r1', '--user=bob', '-n', 'team-a'));
    expect(getJSON('rolebinding', 'rb1', '-n', 'team-a').subjects).toEqual([{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'bob' }]);
    ok(k('create', 'quota', 'q1', '--hard=cpu=1,memory=1Gi,pods=10', '-n', 'team-a'));
    expect(getJSON('resourcequota', 'q1', '-n', 'team-a').spec.hard).toEqual({ cpu: '1', memory: '1Gi', pods: '10' });
    ok(k('create', 'poddisruptionbudget', 'pdb1', '--selector=app=web', '--min-available=50%', '-n', 'team-a'));
    expect(getJSON('pdb', 'pdb1', '-n', 'team-a').spec.minAvailable).toBe('50%');
  });

  it('run a pod, create a service account', () => {
    const r = k('run', 'p1', '--image=nginx:1.27', '--env=A=B', '--port=80', '--labels=app=p1', '-n', 'team-a');
    expect(r.code).toBe(0);
    const pod = getJSON('pod', 'p1', '-n', 'team-a');
    expect(pod.metadata.labels).toEqual({ app: 'p1' });
    expect(pod.spec.containers[0]).toMatchObject({ name: 'p1', image: 'nginx:1.27', env: [{ name: 'A', value: 'B' }], ports: [{ containerPort: 80, protocol: 'TCP' }] });
    ok(k('create', 'serviceaccount', 'sa1', '-n', 'team-a'));
    expect(getJSON('serviceaccount', 'sa1', '-n', 'team-a').metadata.name).toBe('sa1');
  });

  it('DELETE with a protobuf DeleteOptions body (dryRun keeps the object)', async () => {
    const body = protobufBody('v1', 'DeleteOptions', 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions', { dryRun: ['All'] });
    expect(decodeProtobuf(body)).toMatchObject({ dryRun: ['All'] });
    const res = await fetch(`${cluster.url}/api/v1/namespaces/team-a/configmaps/c1`, {
      method: 'DELETE', body: new Uint8Array(body), headers: { 'content-type': 'application/vnd.kubernetes.protobuf', accept: 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(getJSON('configmap', 'c1', '-n', 'team-a').data).toEqual({ a: 'b' });
  });

  it('answers 406 to a client that accepts only protobuf responses', async () => {
    const body = protobufBody('v1', 'ConfigMap', 'k8s.io.api.core.v1.ConfigMap', { metadata: { name: 'c2' }, data: { x: 'y' } });
    const res = await fetch(`${cluster.url}/api/v1/namespaces/team-a/configmaps`, {
      method: 'POST', body: new Uint8Array(body), headers: { 'content-type': 'application/vnd.kubernetes.protobuf', accept: 'application/vnd.kubernetes.protobuf' },
    });
    expect(res.status).toBe(406);
    // Negotiated before the write, as kube-apiserver does: nothing was created.
    expect(k('get', 'configmap', 'c2', '-n', 'team-a').stderr).toContain('NotFound');
  });
});
