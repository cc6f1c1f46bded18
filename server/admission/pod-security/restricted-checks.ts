// The restricted Pod Security Standard's own checks (on top of baseline's), as kube 1.35's
// k8s.io/pod-security-admission/policy: ids, versions, overrides, reasons and details word for word.
import { procMount, validSeccomp } from './baseline-checks.js';
import {
  allowed, type Check, type CheckPod, type CheckResult, containersOf, containersPhrase, forbidden, isWindows, joinQuote, type Obj,
  pluralize, relaxForUserNamespace, sortedSet,
} from './check.js';

/** From v1.25 on, a check that does not apply to Windows pods. */
const notOnWindows = (check: CheckPod): CheckPod => (meta, spec) => (isWindows(spec) ? allowed : check(meta, spec));
/** From v1.35 on, a check relaxed for pods in a user namespace. */
const notInUserNamespace = (check: CheckPod): CheckPod => (meta, spec) => (relaxForUserNamespace(spec) ? allowed : check(meta, spec));

function allowPrivilegeEscalation(_meta: Obj, spec: Obj): CheckResult {
  const bad = containersOf(spec).filter((c) => c.securityContext?.allowPrivilegeEscalation !== false).map((c) => c.name as string);
  return bad.length ? forbidden('allowPrivilegeEscalation != false', `${containersPhrase(bad)} must set securityContext.allowPrivilegeEscalation=false`) : allowed;
}

function capabilitiesRestricted(_meta: Obj, spec: Obj): CheckResult {
  const missingDropAll: string[] = [];
  const addingForbidden: string[] = [];
  const forbiddenCaps = new Set<string>();
  for (const c of containersOf(spec)) {
    const caps = c.securityContext?.capabilities;
    if (!caps) {
      missingDropAll.push(c.name);
      continue;
    }
    if (!((caps.drop ?? []) as string[]).includes('ALL')) missingDropAll.push(c.name);
    const bad = ((caps.add ?? []) as string[]).filter((cap) => cap !== 'NET_BIND_SERVICE');
    for (const cap of bad) forbiddenCaps.add(cap);
    if (bad.length) addingForbidden.push(c.name);
  }
  const details: string[] = [];
  if (missingDropAll.length) details.push(`${containersPhrase(missingDropAll)} must set securityContext.capabilities.drop=["ALL"]`);
  if (addingForbidden.length) details.push(`${containersPhrase(addingForbidden)} must not include ${joinQuote(sortedSet(forbiddenCaps))} in securityContext.capabilities.add`);
  return details.length ? forbidden('unrestricted capabilities', details.join('; ')) : allowed;
}

/** Volume types restricted pods may use; any other is named by its field. */
const allowedVolumeTypes = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'image', 'persistentVolumeClaim', 'projected', 'secret'];
const restrictedVolumeTypes = ['hostPath', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'nfs', 'iscsi', 'glusterfs', 'rbd', 'flexVolume',
  'cinder', 'cephfs', 'flocker', 'fc', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume', 'scaleIO', 'storageos'];

function restrictedVolumes(_meta: Obj, spec: Obj): CheckResult {
  const badVolumes: string[] = [];
  const badTypes = new Set<string>();
  for (const v of (spec.volumes ?? []) as Obj[]) {
    if (allowedVolumeTypes.some((t) => v[t] !== undefined && v[t] !== null)) continue;
    badVolumes.push(v.name);
    badTypes.add(restrictedVolumeTypes.find((t) => v[t] !== undefined && v[t] !== null) ?? 'unknown');
  }
  if (!badVolumes.length) return allowed;
  return forbidden('restricted volume types', `${pluralize('volume', 'volumes', badVolumes.length)} ${joinQuote(badVolumes)} `
    + `${pluralize('uses', 'use', badVolumes.length)} ${pluralize('restricted volume type', 'restricted volume types', badTypes.size)} ${joinQuote(sortedSet(badTypes))}`);
}

function runAsNonRoot(_meta: Obj, spec: Obj): CheckResult {
  const badSetters: string[] = [];
  let podRunAsNonRoot = false;
  const podValue = spec.securityContext?.runAsNonRoot;
  if (typeof podValue === 'boolean') {
    if (!podValue) badSetters.push('pod');
    else podRunAsNonRoot = true;
  }
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const c of containersOf(spec)) {
    const v = c.securityContext?.runAsNonRoot;
    if (typeof v === 'boolean') {
      if (!v) explicit.push(c.name);
    } else if (!podRunAsNonRoot) implicit.push(c.name);
  }
  if (explicit.length) badSetters.push(containersPhrase(explicit));
  if (badSetters.length) return forbidden('runAsNonRoot != true', `${badSetters.join(' and ')} must not set securityContext.runAsNonRoot=false`);
  if (implicit.length) return forbidden('runAsNonRoot != true', `pod or ${containersPhrase(implicit)} must set securityContext.runAsNonRoot=true`);
  return allowed;
}

function runAsUser(_meta: Obj, spec: Obj): CheckResult {
  const badSetters: string[] = [];
  if (spec.securityContext?.runAsUser === 0) badSetters.push('pod');
  const bad = containersOf(spec).filter((c) => c.securityContext?.runAsUser === 0).map((c) => c.name as string);
  if (bad.length) badSetters.push(containersPhrase(bad));
  return badSetters.length ? forbidden('runAsUser=0', `${badSetters.join(' and ')} must not set runAsUser=0`) : allowed;
}

function seccompProfileRestricted(_meta: Obj, spec: Obj): CheckResult {
  const badSetters: string[] = [];
  const badValues = new Set<string>();
  let podSet = false;
  const podProfile = spec.securityContext?.seccompProfile;
  if (podProfile) {
    if (!validSeccomp(podProfile.type)) {
      badSetters.push('pod');
      badValues.add(String(podProfile.type ?? ''));
    } else podSet = true;
  }
  const explicit: string[] = [];
  const implicit: string[] = [];
  for (const c of containersOf(spec)) {
    const p = c.securityContext?.seccompProfile;
    if (p) {
      if (!validSeccomp(p.type)) {
        explicit.push(c.name);
        badValues.add(String(p.type ?? ''));
      }
    } else if (!podSet) implicit.push(c.name);
  }
  if (explicit.length) badSetters.push(containersPhrase(explicit));
  if (badSetters.length) return forbidden('seccompProfile', `${badSetters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(badValues))}`);
  if (implicit.length) return forbidden('seccompProfile', `pod or ${containersPhrase(implicit)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`);
  return allowed;
}

export const restrictedChecks: Check[] = [
  { id: 'allowPrivilegeEscalation', level: 'restricted', versions: [
    { minimumMinor: 8, checkPod: allowPrivilegeEscalation }, { minimumMinor: 25, checkPod: notOnWindows(allowPrivilegeEscalation) },
  ] },
  { id: 'capabilities_restricted', level: 'restricted', versions: [
    { minimumMinor: 22, checkPod: capabilitiesRestricted, overrideCheckIDs: ['capabilities_baseline'] },
    { minimumMinor: 25, checkPod: notOnWindows(capabilitiesRestricted), overrideCheckIDs: ['capabilities_baseline'] },
  ] },
  { id: 'procMount_restricted', level: 'restricted', versions: [{ minimumMinor: 35, checkPod: procMount, overrideCheckIDs: ['procMount'] }] },
  { id: 'restrictedVolumes', level: 'restricted', versions: [{ minimumMinor: 0, checkPod: restrictedVolumes, overrideCheckIDs: ['hostPathVolumes'] }] },
  { id: 'runAsNonRoot', level: 'restricted', versions: [{ minimumMinor: 0, checkPod: runAsNonRoot }, { minimumMinor: 35, checkPod: notInUserNamespace(runAsNonRoot) }] },
  { id: 'runAsUser', level: 'restricted', versions: [{ minimumMinor: 23, checkPod: runAsUser }, { minimumMinor: 35, checkPod: notInUserNamespace(runAsUser) }] },
  { id: 'seccompProfile_restricted', level: 'restricted', versions: [
    { minimumMinor: 19, checkPod: seccompProfileRestricted, overrideCheckIDs: ['seccompProfile_baseline'] },
    { minimumMinor: 25, checkPod: notOnWindows(seccompProfileRestricted), overrideCheckIDs: ['seccompProfile_baseline'] },
  ] },
];
