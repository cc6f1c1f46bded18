import { errors, type FieldError, field } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { AllocationError } from '../../allocators/allocators.js';
import type { StrategyContext } from '../../registry/types.js';
import { tableOf } from '../../table/format.js';
import { isDNS1123Label, isDNS1123Subdomain, isValidPortName } from '../../validation/names.js';
import { validateLabels } from '../../validation/meta.js';
import { defineResource } from '../define.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const serviceTypes = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const protocols = ['SCTP', 'TCP', 'UDP'];

const needsClusterIP = (spec: Obj): boolean => spec.type !== 'ExternalName';
const hasClusterIP = (spec: Obj): boolean => needsClusterIP(spec) && Boolean(spec.clusterIP) && spec.clusterIP !== 'None';
const needsNodePorts = (spec: Obj): boolean => spec.type === 'NodePort' || spec.type === 'LoadBalancer';
const needsHealthCheckNodePort = (spec: Obj): boolean => spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';

/** Everything a service holds in the allocators: its ClusterIP and node ports. */
function held(spec: Obj | undefined): { ip?: string; ports: Set<number> } {
  const s = spec ?? {};
  const ports = new Set<number>();
  for (const p of s.ports ?? []) if (p.nodePort) ports.add(p.nodePort);
  if (s.healthCheckNodePort) ports.add(s.healthCheckNodePort);
  return { ip: hasClusterIP(s) ? s.clusterIP : undefined, ports };
}

/** Releases what `spec` holds and `keep` does not. */
async function releaseDifference(ctx: StrategyContext, spec: Obj | undefined, keep: Obj | undefined): Promise<void> {
  const a = held(spec);
  const b = held(keep);
  if (a.ip && a.ip !== b.ip) await ctx.services.releaseClusterIP(a.ip);
  for (const p of a.ports) if (!b.ports.has(p)) await ctx.services.releaseNodePort(p);
}

function allocationFailure(e: unknown, name: string, path: string, value: unknown, detail: (m: string) => string = (m) => m): never {
  if (e instanceof AllocationError) throw errors.invalid('Service', '', name, [field.invalid(path, value, detail(e.message))]);
  throw e;
}

/**
 * Takes the ClusterIP and node ports a service needs and does not hold yet, through etcd so
 * instances never collide. A dry run checks and picks but takes nothing.
 */
async function allocate(obj: KubeObject, old: KubeObject | undefined, ctx: StrategyContext): Promise<void> {
  const spec = obj.spec as Obj;
  const had = held(old?.spec as Obj | undefined);
  const name = obj.metadata.name ?? '';
  const taken: Array<() => Promise<void>> = [];
  try {
    if (needsClusterIP(spec) && spec.clusterIP !== 'None' && !(had.ip && had.ip === spec.clusterIP)) {
      const requested: string | undefined = spec.clusterIP || undefined;
      let ip: string;
      try {
        ip = await ctx.services.allocateClusterIP(requested, ctx.dryRun, { namespace: ctx.namespace, name });
      } catch (e) {
        allocationFailure(e, name, 'spec.clusterIPs', spec.clusterIPs ?? [requested], (m) => `failed to allocate IP ${requested}: ${m}`);
      }
      if (!ctx.dryRun) taken.push(() => ctx.services.releaseClusterIP(ip));
      spec.clusterIP = ip;
      spec.clusterIPs = [ip];
    }
    const takePort = async (requested: number | undefined, path: string): Promise<number> => {
      if (requested && had.ports.has(requested)) return requested;
      let port: number;
      try {
        port = await ctx.services.allocateNodePort(requested || undefined, ctx.dryRun);
      } catch (e) {
        allocationFailure(e, name, path, requested);
      }
      if (!ctx.dryRun) taken.push(() => ctx.services.releaseNodePort(port));
      return port;
    };
    if (needsNodePorts(spec)) {
      // allocateLoadBalancerNodePorts=false: only the node ports the client names.
      const random = spec.type !== 'LoadBalancer' || spec.allocateLoadBalancerNodePorts !== false;
      for (const [i, p] of (spec.ports ?? []).entries()) {
        if (!p.nodePort && !random) continue;
        p.nodePort = await takePort(p.nodePort, `spec.ports[${i}].nodePort`);
      }
    }
    if (needsHealthCheckNodePort(spec)) spec.healthCheckNodePort = await takePort(spec.healthCheckNodePort, 'spec.healthCheckNodePort');
  } catch (e) {
    for (const release of taken) await release().catch(() => undefined);
    throw e;
  }
}

/** kube's patchAllocatedValues: what a client leaves out of an update keeps its allocated value. */
function keepAllocated(spec: Obj, oldSpec: Obj): void {
  if (needsClusterIP(oldSpec) && needsClusterIP(spec)) {
    if (!spec.clusterIP && oldSpec.clusterIP) spec.clusterIP = oldSpec.clusterIP;
    if (!spec.clusterIPs?.length && oldSpec.clusterIPs?.length) spec.clusterIPs = oldSpec.clusterIPs;
  }
  if (needsNodePorts(oldSpec) && needsNodePorts(spec)) {
    for (const p of spec.ports ?? []) {
      if (p.nodePort) continue;
      const before = (oldSpec.ports ?? []).find((o: Obj) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
      if (before?.nodePort) p.nodePort = before.nodePort;
    }
  }
  if (needsHealthCheckNodePort(oldSpec) && needsHealthCheckNodePort(spec) && !spec.healthCheckNodePort) spec.healthCheckNodePort = oldSpec.healthCheckNodePort;
}

/** kube's dropTypeDependentFields: a type change drops what only the old type used, unless the client changed it. */
function dropTypeDependent(spec: Obj, oldSpec: Obj): void {
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (needsClusterIP(oldSpec) && !needsClusterIP(spec)) {
    if (same(spec.clusterIP, oldSpec.clusterIP) && same(spec.clusterIPs, oldSpec.clusterIPs)) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (same(spec.ipFamilies, oldSpec.ipFamilies)) delete spec.ipFamilies;
    if (same(spec.ipFamilyPolicy, oldSpec.ipFamilyPolicy)) delete spec.ipFamilyPolicy;
  }
  if (needsNodePorts(oldSpec) && !needsNodePorts(spec)) {
    const nodePorts = (s: Obj) => (s.ports ?? []).map((p: Obj) => p.nodePort ?? 0);
    if (same(nodePorts(spec), nodePorts(oldSpec).slice(0, (spec.ports ?? []).length))) for (const p of spec.ports ?? []) delete p.nodePort;
  }
  if (needsHealthCheckNodePort(oldSpec) && !needsHealthCheckNodePort(spec) && spec.healthCheckNodePort === oldSpec.healthCheckNodePort) delete spec.healthCheckNodePort;
  if (oldSpec.type === 'LoadBalancer' && spec.type !== 'LoadBalancer') {
    if (spec.allocateLoadBalancerNodePorts === oldSpec.allocateLoadBalancerNodePorts) delete spec.allocateLoadBalancerNodePorts;
    if (spec.loadBalancerClass === oldSpec.loadBalancerClass) delete spec.loadBalancerClass;
  }
  if (!needsNodePorts(spec) && !(spec.externalIPs ?? []).length && spec.externalTrafficPolicy === oldSpec.externalTrafficPolicy) delete spec.externalTrafficPolicy;
}

function validateService(spec: Obj): FieldError[] {
  const errs: FieldError[] = [];
  if (!serviceTypes.includes(spec.type)) errs.push(field.notSupported('spec.type', spec.type, serviceTypes));
  if (spec.type === 'ExternalName') {
    if (!spec.externalName) errs.push(field.required('spec.externalName'));
    else for (const m of isDNS1123Subdomain(String(spec.externalName).replace(/\.$/, ''))) errs.push(field.invalid('spec.externalName', spec.externalName, m));
    if (spec.clusterIP) errs.push(field.forbidden('spec.clusterIP', 'may not be set for ExternalName services'));
  } else if (!(spec.ports ?? []).length && spec.clusterIP !== 'None') {
    errs.push(field.required('spec.ports'));
  }
  const names = new Set<string>();
  const seen = new Set<string>();
  const ports: Obj[] = spec.ports ?? [];
  for (const [i, p] of ports.entries()) {
    const pp = `spec.ports[${i}]`;
    if (ports.length > 1 && !p.name) errs.push(field.required(`${pp}.name`));
    if (p.name) {
      for (const m of isDNS1123Label(p.name)) errs.push(field.invalid(`${pp}.name`, p.name, m));
      if (names.has(p.name)) errs.push(field.duplicate(`${pp}.name`, p.name));
      names.add(p.name);
    }
    if (!(p.port >= 1 && p.port <= 65535)) errs.push(field.invalid(`${pp}.port`, p.port, 'must be between 1 and 65535, inclusive'));
    if (!protocols.includes(p.protocol)) errs.push(field.notSupported(`${pp}.protocol`, p.protocol, protocols));
    const key = `${p.port}/${p.protocol}`;
    if (seen.has(key)) errs.push(field.duplicate(pp, { port: p.port, protocol: p.protocol }));
    seen.add(key);
    if (typeof p.targetPort === 'number' && !(p.targetPort >= 1 && p.targetPort <= 65535)) {
      errs.push(field.invalid(`${pp}.targetPort`, p.targetPort, 'must be between 1 and 65535, inclusive'));
    } else if (typeof p.targetPort === 'string') {
      for (const m of isValidPortName(p.targetPort)) errs.push(field.invalid(`${pp}.targetPort`, p.targetPort, m));
    }
    if (p.nodePort && !needsNodePorts(spec)) errs.push(field.forbidden(`${pp}.nodePort`, `may not be used when \`type\` is '${spec.type}'`));
  }
  if (!['None', 'ClientIP'].includes(spec.sessionAffinity)) errs.push(field.notSupported('spec.sessionAffinity', spec.sessionAffinity, ['ClientIP', 'None']));
  if (spec.clusterIP && spec.clusterIP !== 'None' && !/^\d+\.\d+\.\d+\.\d+$/.test(spec.clusterIP)) {
    errs.push(field.invalid('spec.clusterIPs[0]', spec.clusterIP, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
  }
  if (spec.clusterIP && spec.clusterIPs?.length && spec.clusterIPs[0] !== spec.clusterIP) {
    errs.push(field.invalid('spec.clusterIPs', spec.clusterIPs, 'element [0] must match clusterIP'));
  }
  if (spec.externalTrafficPolicy && !['Cluster', 'Local'].includes(spec.externalTrafficPolicy)) {
    errs.push(field.notSupported('spec.externalTrafficPolicy', spec.externalTrafficPolicy, ['Cluster', 'Local']));
  }
  if (spec.internalTrafficPolicy && !['Cluster', 'Local'].includes(spec.internalTrafficPolicy)) {
    errs.push(field.notSupported('spec.internalTrafficPolicy', spec.internalTrafficPolicy, ['Cluster', 'Local']));
  }
  errs.push(...validateLabels(spec.selector, 'spec.selector'));
  return errs;
}

export const services = defineResource({
  group: '', version: 'v1', kind: 'Service', resource: 'services', namespaced: true, shortNames: ['svc'], categories: ['all'],
  subresources: { status: true },
  storage: 'services/specs',
  nameRule: 'dns1035-label',
  strategy: {
    prepareForCreate(obj) {
      obj.status = { loadBalancer: {} };
    },
    prepareForUpdate(obj, old) {
      obj.status = old.status;
      const spec = (obj.spec ??= {}) as Obj;
      const oldSpec = (old.spec ?? {}) as Obj;
      spec.type ??= 'ClusterIP';
      keepAllocated(spec, oldSpec);
      dropTypeDependent(spec, oldSpec);
    },
    defaults(obj) {
      const spec = (obj.spec ??= {}) as Obj;
      spec.type ??= 'ClusterIP';
      spec.sessionAffinity ??= 'None';
      if (spec.sessionAffinity === 'ClientIP') {
        const clientIP = ((spec.sessionAffinityConfig ??= {}).clientIP ??= {});
        clientIP.timeoutSeconds ??= 10800;
      }
      for (const p of spec.ports ?? []) {
        p.protocol ??= 'TCP';
        p.targetPort ??= p.port;
      }
      if (needsClusterIP(spec)) {
        if (!spec.clusterIP && spec.clusterIPs?.length) spec.clusterIP = spec.clusterIPs[0];
        if (spec.clusterIP && !spec.clusterIPs?.length) spec.clusterIPs = [spec.clusterIP];
        spec.internalTrafficPolicy ??= 'Cluster';
        spec.ipFamilies ??= ['IPv4'];
        // Headless services without a selector may span both families (this cluster serves IPv4 only).
        spec.ipFamilyPolicy ??= spec.clusterIP === 'None' && !Object.keys(spec.selector ?? {}).length ? 'RequireDualStack' : 'SingleStack';
      }
      if (needsNodePorts(spec) || (spec.externalIPs ?? []).length) spec.externalTrafficPolicy ??= 'Cluster';
      if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
    },
    validate(obj): FieldError[] {
      return validateService((obj.spec ?? {}) as Obj);
    },
    validateUpdate(obj, old) {
      const spec = (obj.spec ?? {}) as Obj;
      const oldSpec = (old.spec ?? {}) as Obj;
      // A ClusterIP stays for the life of the service, unless the type moves to or from ExternalName.
      if (needsClusterIP(spec) && needsClusterIP(oldSpec) && oldSpec.clusterIP && spec.clusterIP !== oldSpec.clusterIP) {
        return [field.invalid('spec.clusterIPs[0]', spec.clusterIP ?? '', 'may not change once set')];
      }
      return [];
    },
    beforeCreate: (obj, ctx) => allocate(obj, undefined, ctx),
    beforeUpdate: (obj, old, ctx) => allocate(obj, old, ctx),
    async afterUpdate(obj, old, ctx, committed) {
      if (committed) await releaseDifference(ctx, old.spec as Obj, obj.spec as Obj);
      else await releaseDifference(ctx, obj.spec as Obj, old.spec as Obj);
    },
    async afterDelete(obj, ctx) {
      await releaseDifference(ctx, obj.spec as Obj, undefined);
    },
    table: tableOf([
      ['Type', 'string', 'type determines how the Service is exposed.', 0, (o: Obj) => o.spec?.type ?? ''],
      ['Cluster-IP', 'string', 'clusterIP is the IP address of the service and is usually assigned randomly by the master.', 0, (o: Obj) => o.spec?.clusterIPs?.[0] || '<none>'],
      ['External-IP', 'string', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.', 0, externalIP],
      ['Port(s)', 'string', 'The port that will be exposed by this service.', 0, (o: Obj) => formatPorts(o.spec?.ports)],
      ['Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector.', 1, (o: Obj) => {
        const s = Object.entries(o.spec?.selector ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
        return s.length ? s.map(([k, v]) => `${k}=${v}`).join(',') : '<none>';
      }],
    ]),
  },
});

/** kubectl's EXTERNAL-IP cell. */
export function externalIP(o: Obj): string {
  const spec = o.spec ?? {};
  const external: string[] = spec.externalIPs ?? [];
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return external.length ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = [...new Set<string>((o.status?.loadBalancer?.ingress ?? []).map((i: Obj) => i.ip || i.hostname).filter(Boolean))].sort();
      if (external.length) return [...lb, ...external].join(',');
      return lb.length ? lb.join(',') : '<pending>';
    }
    case 'ExternalName': return spec.externalName ?? '';
    default: return '<unknown>';
  }
}

/** kubectl's PORT(S) cell: `80/TCP,443:30443/TCP`. */
export function formatPorts(ports: Obj[] | undefined): string {
  if (!ports?.length) return '<none>';
  return ports.map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p.port}/${p.protocol}`)).join(',');
}
