// ServiceAccount admission (kube's plugin/pkg/admission/serviceaccount): every pod runs as a service
// account that exists (`default` unless named), and gets the projected kube-api-access-<random> volume
// (bound token, the namespace's kube-root-ca.crt, the namespace) mounted in each container unless
// automounting is off on the pod or its service account. Mirror pods may reference none of it.
import { errors } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import { generateName } from '../registry/meta.js';
import type { AdmissionAttributes, AdmissionPlugin } from './chain.js';
import type { CachedReads } from './cached-reads.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

export const defaultServiceAccountName = 'default';
export const serviceAccountVolumeName = 'kube-api-access';
export const defaultAPITokenMountPath = '/var/run/secrets/kubernetes.io/serviceaccount';
const mirrorPodAnnotation = 'kubernetes.io/config.mirror';
/** On a ServiceAccount, "true": its pods may use only the secrets it lists (kube's EnforceMountableSecretsAnnotation). */
const enforceMountableSecretsAnnotation = 'kubernetes.io/enforce-mountable-secrets';
/** kube's WarnOnlyBoundTokenExpirationSeconds: 1 h plus 7 s, so the kubelet's refresh is visible. */
const tokenExpirationSeconds = 3607;
/** How often, and how far apart, a missing `default` service account is read again: its controller may lag a new namespace. */
const defaultAttempts = 10;

/** The projected volume kube's TokenVolumeSource builds. */
export function tokenVolumeSource(): Obj {
  // Keys in the order of kube's Go structs, so the JSON reads as kube's.
  return {
    sources: [
      { serviceAccountToken: { expirationSeconds: tokenExpirationSeconds, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
    defaultMode: 0o644,
  };
}

/** Reads a service account; `undefined` when it does not exist. */
export type ServiceAccountGetter = (namespace: string, name: string) => Promise<KubeObject | undefined>;

export function serviceAccountsFrom(reads: CachedReads): ServiceAccountGetter {
  return (namespace, name) => reads.get('', 'serviceaccounts', namespace, name);
}

export class ServiceAccountAdmission implements AdmissionPlugin {
  readonly name = 'ServiceAccount';

  constructor(private readonly get: ServiceAccountGetter, private readonly retryDelayMs = () => 100 + Math.floor(Math.random() * 100)) {}

  handles(operation: string): boolean {
    return operation === 'CREATE' || operation === 'UPDATE';
  }

  async admit(a: AdmissionAttributes): Promise<void> {
    if (ignored(a) || a.operation !== 'CREATE') return;
    const pod = a.object as Obj;
    const spec: Obj = (pod.spec ??= {});
    // Mirror pods are the kubelet's copy of a static pod: changing them makes the kubelet delete them.
    if (isMirrorPod(pod)) return;
    // v1's deprecated serviceAccount field is the name when serviceAccountName is not set (kube's conversion).
    if (!spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount || defaultServiceAccountName;
    const sa = await this.serviceAccount(a, spec.serviceAccountName);
    if (shouldAutomount(sa, spec)) mountServiceAccountToken(spec);
    if (!spec.imagePullSecrets?.length && (sa.imagePullSecrets as Obj[] | undefined)?.length) {
      spec.imagePullSecrets = (sa.imagePullSecrets as Obj[]).map((s) => ({ name: s.name }));
    }
  }

  async validate(a: AdmissionAttributes): Promise<void> {
    if (ignored(a)) return;
    const pod = a.object as Obj;
    const spec: Obj = pod.spec ?? {};
    if (a.operation === 'UPDATE' && a.subresource === 'ephemeralcontainers') {
      if (!spec.serviceAccountName) throw forbidden(a, `no service account specified for pod ${a.namespace}/${a.name}`);
      const sa = await this.serviceAccount(a, spec.serviceAccountName);
      const why = enforceMountableSecrets(sa) ? unreferencedEnvSecret(sa, spec.ephemeralContainers ?? [], 'ephemeral container') : undefined;
      if (why) throw forbidden(a, why);
      return;
    }
    if (a.operation !== 'CREATE') return;
    if (isMirrorPod(pod)) {
      if (spec.serviceAccountName) throw forbidden(a, 'a mirror pod may not reference service accounts');
      if (referencesSecrets(spec)) throw forbidden(a, 'a mirror pod may not reference secrets');
      if ((spec.volumes ?? []).some((v: Obj) => (v.projected?.sources ?? []).some((s: Obj) => s.serviceAccountToken))) {
        throw forbidden(a, 'a mirror pod may not use ServiceAccountToken volume projections');
      }
      return;
    }
    if (!spec.serviceAccountName) throw forbidden(a, `no service account specified for pod ${a.namespace}/${a.name}`);
    const sa = await this.serviceAccount(a, spec.serviceAccountName);
    if (enforceMountableSecrets(sa)) {
      const why = unreferencedSecret(sa, spec);
      if (why) throw forbidden(a, why);
    }
  }

  /** As kube's getServiceAccount: the cache, then fresh reads (ten, spaced, for `default`, whose controller may lag). */
  private async serviceAccount(a: AdmissionAttributes, name: string): Promise<Obj> {
    const attempts = name === defaultServiceAccountName ? defaultAttempts : 1;
    const delay = this.retryDelayMs();
    for (let i = 0; i < attempts; i++) {
      if (i) await new Promise((r) => setTimeout(r, delay));
      const sa = await this.get(a.namespace, name);
      if (sa) return sa as Obj;
    }
    throw forbidden(a, `error looking up service account ${a.namespace}/${name}: serviceaccount "${name}" not found`);
  }
}

function forbidden(a: AdmissionAttributes, why: string) {
  return errors.forbiddenResource('', 'pods', a.name, why);
}

function ignored(a: AdmissionAttributes): boolean {
  return a.resource.group !== '' || a.resource.resource !== 'pods' || !a.object
    || (a.subresource !== '' && a.subresource !== 'ephemeralcontainers');
}

const isMirrorPod = (pod: Obj) => Object.hasOwn(pod.metadata?.annotations ?? {}, mirrorPodAnnotation);

function shouldAutomount(sa: Obj, spec: Obj): boolean {
  if (typeof spec.automountServiceAccountToken === 'boolean') return spec.automountServiceAccountToken;
  if (typeof sa.automountServiceAccountToken === 'boolean') return sa.automountServiceAccountToken;
  return true;
}

/** kube's mountServiceAccountToken: one volume, a read-only mount in every (init) container without one at the path. */
function mountServiceAccountToken(spec: Obj): void {
  const volumes: Obj[] = spec.volumes ?? [];
  const existing = volumes.find((v) => typeof v.name === 'string' && v.name.startsWith(`${serviceAccountVolumeName}-`));
  const volumeName: string = existing?.name ?? generateName(`${serviceAccountVolumeName}-`);
  let needsVolume = false;
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])] as Obj[]) {
    if ((c.volumeMounts ?? []).some((m: Obj) => m.mountPath === defaultAPITokenMountPath)) continue;
    (c.volumeMounts ??= []).push({ name: volumeName, readOnly: true, mountPath: defaultAPITokenMountPath });
    needsVolume = true;
  }
  if (!existing && needsVolume) spec.volumes = [...volumes, { name: volumeName, projected: tokenVolumeSource() }];
}

/** kube's VisitPodSecretNames over every container: any secret a mirror pod names. */
function referencesSecrets(spec: Obj): boolean {
  if (spec.imagePullSecrets?.length) return true;
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])] as Obj[]) {
    if ((c.envFrom ?? []).some((e: Obj) => e.secretRef?.name)) return true;
    if ((c.env ?? []).some((e: Obj) => e.valueFrom?.secretKeyRef?.name)) return true;
  }
  for (const v of (spec.volumes ?? []) as Obj[]) {
    if (v.secret?.secretName) return true;
    if ((v.projected?.sources ?? []).some((s: Obj) => s.secret?.name)) return true;
    for (const k of ['azureFile', 'cephfs', 'cinder', 'flexVolume', 'rbd', 'scaleIO', 'iscsi', 'storageos', 'csi']) {
      const src = v[k];
      if (src && (src.secretName || src.secretRef?.name || src.nodePublishSecretRef?.name)) return true;
    }
  }
  return false;
}

const enforceMountableSecrets = (sa: Obj): boolean => ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(sa.metadata?.annotations?.[enforceMountableSecretsAnnotation]);

/** kube's limitSecretReferences: the first secret the pod uses that its service account does not list, as kube words it. */
function unreferencedSecret(sa: Obj, spec: Obj): string | undefined {
  const mountable = new Set(((sa.secrets ?? []) as Obj[]).map((s) => s.name));
  for (const v of (spec.volumes ?? []) as Obj[]) {
    const name = v.secret?.secretName;
    if (v.secret && !mountable.has(name)) return `volume with secret.secretName="${name ?? ''}" is not allowed because service account ${sa.metadata.name} does not reference that secret`;
  }
  const env = unreferencedEnvSecret(sa, spec.initContainers ?? [], 'init container') ?? unreferencedEnvSecret(sa, spec.containers ?? [], 'container');
  if (env) return env;
  const pullSecrets = new Set(((sa.imagePullSecrets ?? []) as Obj[]).map((s) => s.name));
  for (const [i, ref] of ((spec.imagePullSecrets ?? []) as Obj[]).entries()) {
    if (!pullSecrets.has(ref.name)) return `imagePullSecrets[${i}].name="${ref.name ?? ''}" is not allowed because service account ${sa.metadata.name} does not reference that imagePullSecret`;
  }
  return undefined;
}

function unreferencedEnvSecret(sa: Obj, containers: Obj[], what: string): string | undefined {
  const mountable = new Set(((sa.secrets ?? []) as Obj[]).map((s) => s.name));
  for (const c of containers) {
    for (const e of (c.env ?? []) as Obj[]) {
      const ref = e.valueFrom?.secretKeyRef;
      if (ref && !mountable.has(ref.name)) return `${what} ${c.name} with envVar ${e.name} referencing secret.secretName="${ref.name ?? ''}" is not allowed because service account ${sa.metadata.name} does not reference that secret`;
    }
    for (const e of (c.envFrom ?? []) as Obj[]) {
      const ref = e.secretRef;
      if (ref && !mountable.has(ref.name)) return `${what} ${c.name} with envFrom referencing secret.secretName="${ref.name ?? ''}" is not allowed because service account ${sa.metadata.name} does not reference that secret`;
    }
  }
  return undefined;
}
