// The baseline Pod Security Standard's checks, as kube 1.35's k8s.io/pod-security-admission/policy
// (check_*.go): the same ids, versions, reasons and details, word for word.
import {
  allowed, type Check, type CheckResult, containersOf, containersPhrase, forbidden, joinQuote, type Obj, pluralize, quote,
  relaxForUserNamespace, sortedSet,
} from './check.js';

function appArmorProfile(meta: Obj, spec: Obj): CheckResult {
  const allowedType = (t: unknown) => t === 'RuntimeDefault' || t === 'Localhost';
  const badSetters: string[] = [];
  const badValues = new Set<string>();
  const podProfile = spec.securityContext?.appArmorProfile;
  if (podProfile && !allowedType(podProfile.type)) {
    badSetters.push('pod');
    badValues.add(String(podProfile.type ?? ''));
  }
  const badContainers: string[] = [];
  for (const c of containersOf(spec)) {
    const profile = c.securityContext?.appArmorProfile;
    if (profile && !allowedType(profile.type)) {
      badContainers.push(c.name);
      badValues.add(String(profile.type ?? ''));
    }
  }
  if (badContainers.length) badSetters.push(containersPhrase(badContainers));
  const forbiddenAnnotations: string[] = [];
  for (const [k, v] of Object.entries((meta.annotations ?? {}) as Record<string, string>)) {
    const ok = v === '' || v === 'runtime/default' || v.startsWith('localhost/');
    if (k.startsWith('container.apparmor.security.beta.kubernetes.io/') && !ok) forbiddenAnnotations.push(`${k}=${quote(v)}`);
  }
  const badValueList = sortedSet(badValues);
  if (forbiddenAnnotations.length) {
    forbiddenAnnotations.sort();
    badValueList.push(...forbiddenAnnotations);
    badSetters.push(pluralize('annotation', 'annotations', forbiddenAnnotations.length));
  }
  if (!badSetters.length) return allowed;
  return forbidden(pluralize('forbidden AppArmor profile', 'forbidden AppArmor profiles', badValueList.length),
    `${badSetters.join(' and ')} must not set AppArmor profile type to ${joinQuote(badValueList)}`);
}

const defaultCapabilities = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE',
  'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);

function capabilitiesBaseline(_meta: Obj, spec: Obj): CheckResult {
  const badContainers: string[] = [];
  const nonDefault = new Set<string>();
  for (const c of containersOf(spec)) {
    const added: string[] = c.securityContext?.capabilities?.add ?? [];
    const bad = added.filter((cap) => !defaultCapabilities.has(cap));
    for (const cap of bad) nonDefault.add(cap);
    if (bad.length) badContainers.push(c.name);
  }
  if (!badContainers.length) return allowed;
  return forbidden('non-default capabilities',
    `${containersPhrase(badContainers)} must not include ${joinQuote(sortedSet(nonDefault))} in securityContext.capabilities.add`);
}

function hostNamespaces(_meta: Obj, spec: Obj): CheckResult {
  const set = [spec.hostNetwork && 'hostNetwork=true', spec.hostPID && 'hostPID=true', spec.hostIPC && 'hostIPC=true'].filter(Boolean) as string[];
  return set.length ? forbidden('host namespaces', set.join(', ')) : allowed;
}

function hostPathVolumes(_meta: Obj, spec: Obj): CheckResult {
  const names = ((spec.volumes ?? []) as Obj[]).filter((v) => v.hostPath).map((v) => v.name as string);
  return names.length ? forbidden('hostPath volumes', `${pluralize('volume', 'volumes', names.length)} ${joinQuote(names)}`) : allowed;
}

function hostPorts(_meta: Obj, spec: Obj): CheckResult {
  const badContainers: string[] = [];
  const ports = new Set<string>();
  for (const c of containersOf(spec)) {
    const used = ((c.ports ?? []) as Obj[]).filter((p) => p.hostPort);
    for (const p of used) ports.add(String(p.hostPort));
    if (used.length) badContainers.push(c.name);
  }
  if (!badContainers.length) return allowed;
  return forbidden('hostPort', `${containersPhrase(badContainers)} ${pluralize('uses', 'use', badContainers.length)} ${pluralize('hostPort', 'hostPorts', ports.size)} ${sortedSet(ports).join(', ')}`);
}

function hostProbesAndHostLifecycle(_meta: Obj, spec: Obj): CheckResult {
  const badContainers = new Set<string>();
  const hosts = new Set<string>();
  const handlerHosts = (h: Obj | undefined): string[] => (h ? [h.httpGet?.host, h.tcpSocket?.host].filter((x) => x) : []);
  for (const c of containersOf(spec)) {
    const found = [c.livenessProbe, c.readinessProbe, c.startupProbe, c.lifecycle?.postStart, c.lifecycle?.preStop].flatMap(handlerHosts);
    if (!found.length) continue;
    badContainers.add(c.name);
    for (const h of found) hosts.add(h);
  }
  if (!badContainers.size) return allowed;
  return forbidden('probe or lifecycle host', `${containersPhrase(sortedSet(badContainers))} ${pluralize('uses', 'use', badContainers.size)} `
    + `${pluralize('probe or lifecycle host', 'probe or lifecycle hosts', hosts.size)} ${joinQuote(sortedSet(hosts))}`);
}

function privileged(_meta: Obj, spec: Obj): CheckResult {
  const bad = containersOf(spec).filter((c) => c.securityContext?.privileged === true).map((c) => c.name as string);
  return bad.length ? forbidden('privileged', `${containersPhrase(bad)} must not set securityContext.privileged=true`) : allowed;
}

export function procMount(_meta: Obj, spec: Obj): CheckResult {
  const bad: string[] = [];
  const types = new Set<string>();
  for (const c of containersOf(spec)) {
    const pm = c.securityContext?.procMount;
    if (pm === undefined || pm === null || pm === 'Default') continue;
    bad.push(c.name);
    types.add(pm);
  }
  if (!bad.length) return allowed;
  return forbidden('procMount', `${containersPhrase(bad)} must not set securityContext.procMount to ${joinQuote(sortedSet(types))}`);
}

function seLinuxOptions(allowedTypes: Set<string>) {
  return (_meta: Obj, spec: Obj): CheckResult => {
    const badTypes = new Set<string>();
    let setUser = false;
    let setRole = false;
    const valid = (o: Obj) => {
      let ok = true;
      if (!allowedTypes.has(o.type ?? '')) {
        ok = false;
        badTypes.add(o.type ?? '');
      }
      if (o.user) [ok, setUser] = [false, true];
      if (o.role) [ok, setRole] = [false, true];
      return ok;
    };
    const badSetters: string[] = [];
    if (spec.securityContext?.seLinuxOptions && !valid(spec.securityContext.seLinuxOptions)) badSetters.push('pod');
    const badContainers = containersOf(spec).filter((c) => c.securityContext?.seLinuxOptions && !valid(c.securityContext.seLinuxOptions)).map((c) => c.name);
    if (badContainers.length) badSetters.push(containersPhrase(badContainers));
    if (!badSetters.length) return allowed;
    const badData: string[] = [];
    if (badTypes.size) badData.push(`${pluralize('type', 'types', badTypes.size)} ${joinQuote(sortedSet(badTypes))}`);
    if (setUser) badData.push('user may not be set');
    if (setRole) badData.push('role may not be set');
    return forbidden('seLinuxOptions', `${badSetters.join(' and ')} set forbidden securityContext.seLinuxOptions: ${badData.join('; ')}`);
  };
}
const seLinuxTypes10 = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t']);
const seLinuxTypes131 = new Set([...seLinuxTypes10, 'container_engine_t']);

export const validSeccomp = (t: unknown): boolean => t === 'Localhost' || t === 'RuntimeDefault';

function seccompProfileBaseline10(meta: Obj, spec: Obj): CheckResult {
  const annotations = (meta.annotations ?? {}) as Record<string, string>;
  const validValue = (v: string) => v === 'runtime/default' || v === 'docker/default' || v.startsWith('localhost/');
  const bad = new Set<string>();
  const podKey = 'seccomp.security.alpha.kubernetes.io/pod';
  if (Object.hasOwn(annotations, podKey) && !validValue(annotations[podKey])) bad.add(`${podKey}=${quote(annotations[podKey])}`);
  for (const c of containersOf(spec)) {
    const key = `container.seccomp.security.alpha.kubernetes.io/${c.name}`;
    if (Object.hasOwn(annotations, key) && !validValue(annotations[key])) bad.add(`${key}=${quote(annotations[key])}`);
  }
  if (!bad.size) return allowed;
  return forbidden('seccompProfile', `forbidden ${pluralize('annotation', 'annotations', bad.size)} ${sortedSet(bad).join(', ')}`);
}

function seccompProfileBaseline119(_meta: Obj, spec: Obj): CheckResult {
  const badSetters: string[] = [];
  const badValues = new Set<string>();
  const podProfile = spec.securityContext?.seccompProfile;
  if (podProfile && !validSeccomp(podProfile.type)) {
    badSetters.push('pod');
    badValues.add(String(podProfile.type ?? ''));
  }
  const bad: string[] = [];
  for (const c of containersOf(spec)) {
    const p = c.securityContext?.seccompProfile;
    if (p && !validSeccomp(p.type)) {
      bad.push(c.name);
      badValues.add(String(p.type ?? ''));
    }
  }
  if (bad.length) badSetters.push(containersPhrase(bad));
  if (!badSetters.length) return allowed;
  return forbidden('seccompProfile', `${badSetters.join(' and ')} must not set securityContext.seccompProfile.type to ${joinQuote(sortedSet(badValues))}`);
}

const sysctls10 = ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_unprivileged_port_start'];
const sysctls127 = [...sysctls10, 'net.ipv4.ip_local_reserved_ports'];
const sysctls129 = [...sysctls127, 'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes'];
const sysctls132 = [...sysctls129, 'net.ipv4.tcp_rmem', 'net.ipv4.tcp_wmem'];

function sysctls(allowedNames: string[]) {
  const allowedSet = new Set(allowedNames);
  return (_meta: Obj, spec: Obj): CheckResult => {
    const bad = ((spec.securityContext?.sysctls ?? []) as Obj[]).map((s) => s.name as string).filter((n) => !allowedSet.has(n));
    return bad.length ? forbidden('forbidden sysctls', bad.join(', ')) : allowed;
  };
}

function windowsHostProcess(_meta: Obj, spec: Obj): CheckResult {
  const bad = containersOf(spec).filter((c) => c.securityContext?.windowsOptions?.hostProcess === true).map((c) => c.name as string);
  const setters: string[] = [];
  if (spec.securityContext?.windowsOptions?.hostProcess === true) setters.push('pod');
  if (bad.length) setters.push(containersPhrase(bad));
  return setters.length ? forbidden('hostProcess', `${setters.join(' and ')} must not set securityContext.windowsOptions.hostProcess=true`) : allowed;
}

export const baselineChecks: Check[] = [
  { id: 'appArmorProfile', level: 'baseline', versions: [{ minimumMinor: 0, checkPod: appArmorProfile }] },
  { id: 'capabilities_baseline', level: 'baseline', versions: [{ minimumMinor: 0, checkPod: capabilitiesBaseline }] },
  { id: 'hostNamespaces', level: 'baseline', versions: [{ minimumMinor: 0, checkPod: hostNamespaces }] },
  { id: 'hostPathVolumes', level: 'baseline', versions: [{ minimumMinor: 0, checkPod: hostPathVolumes }] },
  { id: 'hostPorts', level: 'baseline', versions: [{ minimumMinor: 0, checkPod: hostPorts }] },
  { id: 'hostProbesAndHostLifecycle', level: 'baseline', versions: [{ minimumMinor: 34, checkPod: hostProbesAndHostLifecycle }] },
  { id: 'privileged', level: 'baseline', versions: [{ minimumMinor: 0, checkPod: privileged }] },
  { id: 'procMount', level: 'baseline', versions: [
    { minimumMinor: 0, checkPod: procMount },
    { minimumMinor: 35, checkPod: (meta, spec) => (relaxForUserNamespace(spec) ? allowed : procMount(meta, spec)) },
  ] },
  { id: 'seLinuxOptions', level: 'baseline', versions: [
    { minimumMinor: 0, checkPod: seLinuxOptions(seLinuxTypes10) }, { minimumMinor: 31, checkPod: seLinuxOptions(seLinuxTypes131) },
  ] },
  { id: 'seccompProfile_baseline', level: 'baseline', versions: [
    { minimumMinor: 0, checkPod: seccompProfileBaseline10 }, { minimumMinor: 19, checkPod: seccompProfileBaseline119 },
  ] },
  { id: 'sysctls', level: 'baseline', versions: [
    { minimumMinor: 0, checkPod: sysctls(sysctls10) }, { minimumMinor: 27, checkPod: sysctls(sysctls127) },
    { minimumMinor: 29, checkPod: sysctls(sysctls129) }, { minimumMinor: 32, checkPod: sysctls(sysctls132) },
  ] },
  { id: 'windowsHostProcess', level: 'baseline', versions: [{ minimumMinor: 0, checkPod: windowsHostProcess }] },
];
