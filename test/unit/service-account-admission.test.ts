// ServiceAccount admission on the in-memory storage: the default service account, the kube-api-access
// volume and mounts, automount switched off, kube's refusals; and the controller that makes the
// `default` ServiceAccount and kube-root-ca.crt in every namespace while no controller manager runs.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AdmissionChain } from '../../server/admission/chain.js';
import { CachedReads } from '../../server/admission/cached-reads.js';
import { ServiceAccountAdmission, serviceAccountsFrom } from '../../server/admission/service-account.js';
import { ApiError } from '../../server/api/errors.js';
import type { KubeObject } from '../../server/api/object.js';
import { TypeRegistry } from '../../server/registry/registry.js';
import { GenericStore, type WriteOptions } from '../../server/registry/store.js';
import type { ResourceType, StrategyServices } from '../../server/registry/types.js';
import { NamespaceDefaultsController } from '../../server/resources/core/namespace-defaults-controller.js';
import { registerBuiltins } from '../../server/resources/index.js';
import { MemoryStorage } from '../../server/storage/memory/memory.js';
import { eventually } from '../support/eventually.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const services: StrategyServices = {
  allocateClusterIP: async () => '10.0.0.10', releaseClusterIP: async () => undefined,
  allocateNodePort: async () => 30000, releaseNodePort: async () => undefined,
};
const write = (): WriteOptions => ({ dryRun: false, fieldValidation: 'Strict', warnings: [] });

let store: GenericStore;
let types: TypeRegistry;
const rt = (resource: string): ResourceType => types.lookup('', 'v1', resource)!;
const container = (name: string, extra: Record<string, unknown> = {}) => ({ name, image: 'busybox', ...extra });
const createPod = (spec: Record<string, unknown>, meta: Record<string, unknown> = {}) =>
  store.create(rt('pods'), 'default', { metadata: { name: 'p', ...meta }, spec } as unknown as KubeObject, write()) as Promise<any>;

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('the write was admitted');
}

beforeEach(async () => {
  const storage = new MemoryStorage();
  types = new TypeRegistry();
  registerBuiltins(types);
  // No waiting between reads of a missing `default`: the test is about the answer, not kube's patience.
  store = new GenericStore(storage, types, services, new AdmissionChain([new ServiceAccountAdmission(serviceAccountsFrom(new CachedReads(storage, types)), () => 0)]));
  await store.create(rt('namespaces'), '', { metadata: { name: 'default' } } as KubeObject, write());
});

describe('ServiceAccount admission', () => {
  it('defaults the service account and mounts kube-api-access in every container and init container', async () => {
    await store.create(rt('serviceaccounts'), 'default', { metadata: { name: 'default' } } as KubeObject, write());
    const pod = await createPod({ initContainers: [container('init')], containers: [container('a'), container('b')] });
    expect(pod.spec.serviceAccountName).toBe('default');
    expect(pod.spec.serviceAccount).toBe('default');
    const volume = pod.spec.volumes.find((v: any) => v.name.startsWith('kube-api-access-'));
    expect(volume.name).toMatch(/^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    expect(volume.projected).toEqual({
      defaultMode: 420,
      sources: [
        { serviceAccountToken: { path: 'token', expirationSeconds: 3607 } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    });
    for (const c of [...pod.spec.initContainers, ...pod.spec.containers]) {
      expect(c.volumeMounts).toEqual([{ name: volume.name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }]);
    }
  });

  it('honours automountServiceAccountToken on the pod, then on the service account, and copies its imagePullSecrets', async () => {
    await store.create(rt('serviceaccounts'), 'default', { metadata: { name: 'quiet' }, automountServiceAccountToken: false, imagePullSecrets: [{ name: 'reg' }] } as unknown as KubeObject, write());
    const quiet = await createPod({ serviceAccountName: 'quiet', containers: [container('a')] });
    expect(quiet.spec.volumes ?? []).toEqual([]);
    expect(quiet.spec.containers[0].volumeMounts).toBeUndefined();
    expect(quiet.spec.imagePullSecrets).toEqual([{ name: 'reg' }]);
    const asked = await createPod({ serviceAccountName: 'quiet', automountServiceAccountToken: true, containers: [container('a')] }, { name: 'q2' });
    expect(asked.spec.volumes).toHaveLength(1);
  });

  it('leaves a container that mounts its own token alone', async () => {
    await store.create(rt('serviceaccounts'), 'default', { metadata: { name: 'default' } } as KubeObject, write());
    const pod = await createPod({
      volumes: [{ name: 'mine', emptyDir: {} }],
      containers: [container('own', { volumeMounts: [{ name: 'mine', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }] })],
    });
    expect(pod.spec.volumes.map((v: any) => v.name)).toEqual(['mine']);
  });

  it('refuses a pod whose service account does not exist, with kube\'s message', async () => {
    const err = await refusal(createPod({ serviceAccountName: 'ghost', containers: [container('a')] }));
    expect(err.code).toBe(403);
    expect(err.message).toBe('pods "p" is forbidden: error looking up service account default/ghost: serviceaccount "ghost" not found');
    const noDefault = await refusal(createPod({ containers: [container('a')] }));
    expect(noDefault.message).toBe('pods "p" is forbidden: error looking up service account default/default: serviceaccount "default" not found');
  });

  it('limits a pod to the secrets its service account lists when the account enforces mountable secrets', async () => {
    await store.create(rt('serviceaccounts'), 'default', {
      metadata: { name: 'strict', annotations: { 'kubernetes.io/enforce-mountable-secrets': 'true' } }, secrets: [{ name: 'ok' }],
    } as unknown as KubeObject, write());
    const env = (ref: string) => ({ name: 'E', valueFrom: { secretKeyRef: { name: ref, key: 'k' } } });
    await createPod({ serviceAccountName: 'strict', volumes: [{ name: 'v', secret: { secretName: 'ok' } }], containers: [container('a', { env: [env('ok')] })] });
    const volume = await refusal(createPod({ serviceAccountName: 'strict', volumes: [{ name: 'v', secret: { secretName: 'other' } }], containers: [container('a')] }, { name: 'p2' }));
    expect(volume.message).toBe('pods "p2" is forbidden: volume with secret.secretName="other" is not allowed because service account strict does not reference that secret');
    const init = await refusal(createPod({ serviceAccountName: 'strict', initContainers: [container('i', { envFrom: [{ secretRef: { name: 'other' } }] })], containers: [container('a')] }, { name: 'p3' }));
    expect(init.message).toBe('pods "p3" is forbidden: init container i with envFrom referencing secret.secretName="other" is not allowed because service account strict does not reference that secret');
    const pull = await refusal(createPod({ serviceAccountName: 'strict', imagePullSecrets: [{ name: 'reg' }], containers: [container('a')] }, { name: 'p4' }));
    expect(pull.message).toBe('pods "p4" is forbidden: imagePullSecrets[0].name="reg" is not allowed because service account strict does not reference that imagePullSecret');
  });

  it('refuses mirror pods that reference service accounts or secrets, and leaves others unchanged', async () => {
    const mirror = { annotations: { 'kubernetes.io/config.mirror': 'x' } };
    const named = await refusal(createPod({ serviceAccountName: 'default', containers: [container('a')] }, mirror));
    expect(named.message).toBe('pods "p" is forbidden: a mirror pod may not reference service accounts');
    const secret = await refusal(createPod({ containers: [container('a', { envFrom: [{ secretRef: { name: 's' } }] })] }, mirror));
    expect(secret.message).toBe('pods "p" is forbidden: a mirror pod may not reference secrets');
    const plain = await createPod({ containers: [container('a')] }, mirror);
    expect(plain.spec.serviceAccountName).toBeUndefined();
    expect(plain.spec.volumes ?? []).toEqual([]);
  });
});

describe('namespace defaults controller', () => {
  let controller: NamespaceDefaultsController | undefined;
  afterEach(() => controller?.stop());

  it('makes the default ServiceAccount and kube-root-ca.crt in every namespace', async () => {
    controller = new NamespaceDefaultsController(store, { namespaces: rt('namespaces'), serviceaccounts: rt('serviceaccounts'), configmaps: rt('configmaps') }, 'PEM');
    await controller.start();
    await store.create(rt('namespaces'), '', { metadata: { name: 'team' } } as KubeObject, write());
    await eventually(() => store.get(rt('configmaps'), 'team', 'kube-root-ca.crt'));
    const cm = await store.get(rt('configmaps'), 'team', 'kube-root-ca.crt');
    expect(cm.data).toEqual({ 'ca.crt': 'PEM' });
    expect(cm.metadata.annotations?.['kubernetes.io/description']).toContain('Contains a CA bundle');
    await eventually(() => store.get(rt('serviceaccounts'), 'team', 'default'));
    await eventually(() => store.get(rt('serviceaccounts'), 'default', 'default'));
    // A pod in the new namespace is admitted with the account the controller made.
    const pod: any = await store.create(rt('pods'), 'team', { metadata: { name: 'p' }, spec: { containers: [container('a')] } } as unknown as KubeObject, write());
    expect(pod.spec.serviceAccountName).toBe('default');
  });

  it('steps aside while kube-controller-manager holds its lease, and takes over when it is gone', async () => {
    let managerActive = true;
    const storage = new MemoryStorage();
    let passes = 0;
    const quiet = new GenericStore(storage, types, services, undefined, undefined, { active: async () => (passes++, managerActive) });
    await quiet.create(rt('namespaces'), '', { metadata: { name: 'team' } } as KubeObject, write());
    controller = new NamespaceDefaultsController(quiet, { namespaces: rt('namespaces'), serviceaccounts: rt('serviceaccounts'), configmaps: rt('configmaps') }, 'PEM');
    await controller.start();
    await eventually(() => passes > 0);
    expect((await quiet.list(rt('serviceaccounts'), 'team', {})).items).toEqual([]);
    managerActive = false;
    await quiet.create(rt('namespaces'), '', { metadata: { name: 'later' } } as KubeObject, write());
    await eventually(() => quiet.get(rt('serviceaccounts'), 'later', 'default'));
  });
});
