// PodSecurity admission on the in-memory storage: enforce refuses with kube's exact text, warn answers
// with a warning, audit annotates, controllers' templates are never refused, namespace labels are
// validated and their changes warn about existing pods, exemptions and defaults come from the
// AdmissionConfiguration file.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { CachedReads } from '../../server/admission/cached-reads.js';
import { AdmissionChain } from '../../server/admission/chain.js';
import { PodSecurity } from '../../server/admission/pod-security/admission.js';
import { podSecurityConfiguration } from '../../server/admission/pod-security/configuration.js';
import { evaluatePod } from '../../server/admission/pod-security/evaluator.js';
import { pluginConfiguration } from '../../server/admission/plugin-config.js';
import { ApiError } from '../../server/api/errors.js';
import type { KubeObject } from '../../server/api/object.js';
import type { UserInfo } from '../../server/authentication/user.js';
import { TypeRegistry } from '../../server/registry/registry.js';
import { GenericStore, type WriteOptions } from '../../server/registry/store.js';
import type { ResourceType, StrategyServices } from '../../server/registry/types.js';
import { registerBuiltins } from '../../server/resources/index.js';
import { MemoryStorage } from '../../server/storage/memory/memory.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
const services: StrategyServices = {
  allocateClusterIP: async () => '10.0.0.10', releaseClusterIP: async () => undefined,
  allocateNodePort: async () => 30000, releaseNodePort: async () => undefined,
};

interface Written { warnings: string[]; annotations: Record<string, string> }
let store: GenericStore;
let types: TypeRegistry;
let last: Written;
const rt = (group: string, resource: string): ResourceType => types.lookup(group, 'v1', resource)!;
const write = (user?: UserInfo): WriteOptions => {
  last = { warnings: [], annotations: {} };
  const annotations = last.annotations;
  return { dryRun: false, fieldValidation: 'Strict', warnings: last.warnings, user, annotate: (k, v) => { annotations[k] = v; } };
};

const privilegedPod = (name = 'x') => ({ metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox', securityContext: { privileged: true } }] } });
const restrictedMessage = 'pods "x" is forbidden: violates PodSecurity "restricted:latest": privileged (container "c" must not set securityContext.privileged=true), '
  + 'allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), '
  + 'unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), '
  + 'runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), '
  + 'seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")';

async function refusal(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('the write was admitted');
}

function setup(configuration?: Record<string, unknown>): void {
  const storage = new MemoryStorage();
  types = new TypeRegistry();
  registerBuiltins(types);
  const reads = new CachedReads(storage, types);
  const plugin = new PodSecurity(podSecurityConfiguration(configuration), { namespace: (n) => reads.get('', 'namespaces', '', n), pods: (ns) => reads.all('', 'pods', ns) });
  store = new GenericStore(storage, types, services, new AdmissionChain([plugin]));
}

const namespace = (name: string, labels: Record<string, string>) =>
  store.create(rt('', 'namespaces'), '', { metadata: { name, labels } } as KubeObject, write());
const createPod = (ns: string, body: Record<string, unknown>, user?: UserInfo) =>
  store.create(rt('', 'pods'), ns, structuredClone(body) as unknown as KubeObject, write(user));

describe('PodSecurity admission', () => {
  beforeEach(() => setup());

  it('refuses a privileged pod under enforce=restricted with kube\'s exact message, and annotates the audit event', async () => {
    await namespace('r', { 'pod-security.kubernetes.io/enforce': 'restricted' });
    const err = await refusal(createPod('r', privilegedPod()));
    expect(err.code).toBe(403);
    expect(err.message).toBe(restrictedMessage);
    expect(last.annotations['pod-security.kubernetes.io/enforce-policy']).toBe('restricted:latest');
    expect(last.warnings).toEqual([]);
  });

  it('refuses privileged under enforce=baseline, and warns and audits a baseline-clean pod under warn=restricted and audit=restricted', async () => {
    await namespace('b', { 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/warn': 'restricted', 'pod-security.kubernetes.io/audit': 'restricted' });
    const baselineErr = await refusal(createPod('b', privilegedPod()));
    expect(baselineErr.message).toBe('pods "x" is forbidden: violates PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)');
    await createPod('b', { metadata: { name: 'plain' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } });
    expect(last.warnings).toEqual(['would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), '
      + 'unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), '
      + 'seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")']);
    expect(last.annotations['pod-security.kubernetes.io/audit-violations']).toMatch(/^would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false/);
  });

  it('admits a pod that meets restricted without a word', async () => {
    await namespace('r', { 'pod-security.kubernetes.io/enforce': 'restricted' });
    await createPod('r', { metadata: { name: 'ok' }, spec: {
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{ name: 'c', image: 'busybox', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE'] } } }],
    } });
    expect(last.warnings).toEqual([]);
  });

  it('warns but never refuses for a Deployment\'s template', async () => {
    await namespace('r', { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'baseline' });
    await store.create(rt('apps', 'deployments'), 'r', {
      metadata: { name: 'd' }, spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: privilegedPod().spec } },
    } as unknown as KubeObject, write());
    expect(last.warnings).toEqual(['would violate PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)']);
  });

  it('refuses bad labels with kube\'s field errors, and warns on a stricter level about pods that run', async () => {
    const err = await refusal(namespace('bad', { 'pod-security.kubernetes.io/enforce': 'strict', 'pod-security.kubernetes.io/warn-version': 'v2.0' }));
    expect(err.code).toBe(422);
    expect(err.message).toBe('Namespace "bad" is invalid: [metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted, '
      + 'metadata.labels[pod-security.kubernetes.io/warn-version]: Invalid value: "v2.0": must be "latest" or "v1.x"]');
    const ns: any = await namespace('grow', {});
    await createPod('grow', privilegedPod('p1'));
    await createPod('grow', privilegedPod('p2'));
    await createPod('grow', { metadata: { name: 'h' }, spec: { hostNetwork: true, containers: [{ name: 'c', image: 'busybox' }] } });
    await store.update(rt('', 'namespaces'), '', 'grow', { ...ns, metadata: { ...ns.metadata, labels: { 'pod-security.kubernetes.io/enforce': 'baseline' } } }, write());
    expect(last.warnings).toEqual([
      'existing pods in namespace "grow" violate the new PodSecurity enforce level "baseline:latest"',
      'h: host namespaces',
      'p1 (and 1 other pod): privileged',
    ]);
  });

  it('checks each version as kube does: no hostProbesAndHostLifecycle before v1.34, no capabilities drop before v1.22', () => {
    const spec = { containers: [{ name: 'c', image: 'i', livenessProbe: { httpGet: { host: 'evil', port: 80 } } }] };
    const reasons = (level: 'baseline' | 'restricted', minor: number) => evaluatePod({ level, version: { latest: false, minor } }, {}, spec).filter((r) => !r.allowed).map((r) => r.forbiddenReason);
    expect(reasons('baseline', 34)).toEqual(['probe or lifecycle host']);
    expect(reasons('baseline', 33)).toEqual([]);
    expect(reasons('restricted', 21)).toEqual(['allowPrivilegeEscalation != false', 'runAsNonRoot != true', 'seccompProfile']);
  });
});

describe('PodSecurity configuration from --admission-control-config-file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'psa-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('takes defaults and exemptions (usernames, namespaces, runtimeClasses) from a PodSecurityConfiguration in its own file', async () => {
    writeFileSync(join(dir, 'admission.yaml'), 'apiVersion: apiserver.config.k8s.io/v1\nkind: AdmissionConfiguration\nplugins:\n- name: PodSecurity\n  path: psa.yaml\n');
    writeFileSync(join(dir, 'psa.yaml'), [
      'apiVersion: pod-security.admission.config.k8s.io/v1', 'kind: PodSecurityConfiguration',
      'defaults:', '  enforce: baseline', 'exemptions:', '  usernames: [ci-bot]', '  namespaces: [free]', '  runtimeClasses: [kata]', '',
    ].join('\n'));
    setup(pluginConfiguration(join(dir, 'admission.yaml'), 'PodSecurity'));
    await namespace('plain', {});
    expect((await refusal(createPod('plain', privilegedPod()))).message).toBe('pods "x" is forbidden: violates PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)');
    await createPod('plain', privilegedPod('bot'), { name: 'ci-bot', groups: [] });
    expect(last.annotations['pod-security.kubernetes.io/exempt']).toBe('user');
    await createPod('plain', { ...privilegedPod('kata'), spec: { ...privilegedPod().spec, runtimeClassName: 'kata' } });
    expect(last.annotations['pod-security.kubernetes.io/exempt']).toBe('runtimeClass');
    await namespace('free', { 'pod-security.kubernetes.io/enforce': 'restricted' });
    expect(last.warnings).toEqual(['namespace "free" is exempt from Pod Security, and the policy (enforce=restricted:latest) will be ignored']);
    await createPod('free', privilegedPod());
    expect(last.annotations['pod-security.kubernetes.io/exempt']).toBe('namespace');
  });
});
