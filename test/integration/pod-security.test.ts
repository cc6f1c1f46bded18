// ServiceAccount and PodSecurity admission on a real server (etcd, the watch cache): a new namespace
// gets its `default` ServiceAccount without a controller manager, pods get it and the kube-api-access
// volume, and the PodSecurity defaults and exemptions of --admission-control-config-file hold.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { api } from '../support/watch.js';

let cluster: TestCluster;
let configFile: string;
beforeAll(async () => {
  // The cluster's directory exists only once it runs: the configuration goes next to this test's own temp file.
  configFile = path.join(process.env.TMPDIR ?? '/tmp', `psa-${process.pid}-${Date.now()}.yaml`);
  writeFileSync(configFile, [
    'apiVersion: apiserver.config.k8s.io/v1', 'kind: AdmissionConfiguration', 'plugins:', '- name: PodSecurity', '  configuration:',
    '    apiVersion: pod-security.admission.config.k8s.io/v1', '    kind: PodSecurityConfiguration',
    '    defaults: {enforce: restricted, warn: restricted}', '    exemptions: {namespaces: [free], runtimeClasses: [kata]}', '',
  ].join('\n'));
  cluster = await startCluster(1, [`--admission-control-config-file=${configFile}`]);
});
afterAll(async () => {
  await cluster?.stop();
  rmSync(configFile, { force: true });
});

const post = (p: string, body: unknown) => fetch(cluster.url + p, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
const privileged = (name: string, extra: Record<string, unknown> = {}) => ({ metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox', securityContext: { privileged: true } }], ...extra } });

it('a pod in a namespace just made runs as its default ServiceAccount with the kube-api-access volume', async () => {
  await api(cluster.url, 'POST', '/api/v1/namespaces', { metadata: { name: 'free' } });
  const pod = await api(cluster.url, 'POST', '/api/v1/namespaces/free/pods', privileged('p'));
  expect(pod.spec.serviceAccountName).toBe('default');
  const volume = pod.spec.volumes.find((v: { name: string }) => v.name.startsWith('kube-api-access-'));
  expect(volume.projected.sources[0]).toEqual({ serviceAccountToken: { expirationSeconds: 3607, path: 'token' } });
  expect(pod.spec.containers[0].volumeMounts).toEqual([{ name: volume.name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }]);
  // Exempt namespace: the privileged pod above was admitted.
});

it('enforces the configured default level in unlabelled namespaces, but not for exempt runtime classes', async () => {
  await api(cluster.url, 'POST', '/api/v1/namespaces', { metadata: { name: 'plain' } });
  const refused = await post('/api/v1/namespaces/plain/pods', privileged('x'));
  expect(refused.status).toBe(403);
  expect((await refused.json()).message).toMatch(/^pods "x" is forbidden: violates PodSecurity "restricted:latest": privileged \(container "c" must not set securityContext.privileged=true\), allowPrivilegeEscalation != false/);
  const kata = await post('/api/v1/namespaces/plain/pods', privileged('k', { runtimeClassName: 'kata' }));
  expect(kata.status).toBe(201);
  const labelled = await post('/api/v1/namespaces', { metadata: { name: 'loose', labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } });
  expect(labelled.status).toBe(201);
  const warned = await post('/api/v1/namespaces/loose/pods', { metadata: { name: 'w' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
  expect(warned.status).toBe(201);
  expect(warned.headers.get('warning')).toMatch(/^299 - "would violate PodSecurity \\"restricted:latest\\": allowPrivilegeEscalation != false/);
});
