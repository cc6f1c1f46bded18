import { ApiError, errors, type FieldError, field } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { AllocationError } from '../../allocators/allocators.js';
import type { StrategyContext } from '../../registry/types.js';
import { tableOf } from '../../table/format.js';
import { isValidPortName } from '../../validation/names.js';
import { validateLabels } from '../../validation/meta.js';
import { defineResource } from '../define.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const serviceTypes = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];

function needsClusterIP(spec: Obj): boolean {
  return spec.type !== 'ExternalName' && spec.clusterIP !== 'None';
}

function needsNodePorts(spec: Obj): boolean {
  return spec.type === 'NodePort' || spec.type === 'LoadBalancer';
}

function allocationFailure(e: unknown, name: string, path: string, value: unknown): never {
  if (e instanceof AllocationError) throw errors.invalid('Service', '', name, [field.invalid(path, value, e.message)]);
  throw e;
}

/** Takes the ClusterIP and node ports a service needs, through etcd so instances never collide. */
async function allocate(obj: KubeObject, old: KubeObject | undefined, ctx: StrategyContext): Promise<void> {
  const spec = obj.spec as Obj;
  const oldSpec = (old?.spec ?? {}) as Obj;
  const taken: Array<() => Promise<void>> = [];
  try {
    if (needsClusterIP(spec) && !(old && oldSpec.clusterIP && oldSpec.clusterIP !== 'None')) {
      const requested = spec.clusterIP || undefined;
      if (ctx.dryRun) spec.clusterIP = requested ?? '10.0.0.0';
      else {
        try {
          spec.clusterIP = await ctx.services.allocateClusterIP(requested);
        } catch (e) {
          if (e instanceof ApiError && e.reason === 'Invalid') throw errors.invalid('Service', '', obj.metadata.name ?? '', [field.invalid('spec.clusterIPs[0]', requested, 'provided IP is not in the valid range. The range of valid IPs is the service cluster IP range')]);
          allocationFailure(e, obj.metadata.name ?? '', 'spec.clusterIPs[0]', requested);
        }
        const ip = spec.clusterIP as string;
        taken.push(() => ctx.services.releaseClusterIP(ip));
      }
      spec.clusterIPs = [spec.clusterIP];
    }
    if (needsNodePorts(spec)) {
      const had = new Set<number>((oldSpec.ports ?? []).map((p: Obj) => p.nodePort).filter(Boolean));
      for (const [i, p] of (spec.ports ?? []).entries()) {
        if (p.nodePort && had.has(p.nodePort)) continue;
        if (ctx.dryRun) {
          p.nodePort ??= 30000;
          continue;
        }
        try {
          p.nodePort = await ctx.services.allocateNodePort(p.nodePort || undefined);
        } catch (e) {
          allocationFailure(e, obj.metadata.name ?? '', `spec.ports[${i}].nodePort`, p.nodePort);
        }
        const port = p.nodePort as number;
        taken.push(() => ctx.services.releaseNodePort(port));
      }
    }
  } catch (e) {
    for (const release of taken) await release().catch(() => undefined);
    throw e;
  }
}

export const services = defineResource({
  group: '', version: 'v1', kind: 'Service', resource: 'services', namespaced: true, shortNames: ['svc'], categories: ['all'],
  subresources: { status: true },
  storage: 'services/specs',
  nameRule: 'dns1123-label',
  strategy: {
    prepareForCreate(obj) {
      obj.status = { loadBalancer: {} };
    },
    prepareForUpdate(obj, old) {
      obj.status = old.status;
      const spec = (obj.spec ??= {}) as Obj;
      const oldSpec = (old.spec ?? {}) as Obj;
      // ClusterIP and node ports stay as allocated unless the client names them.
      if (!spec.clusterIP && oldSpec.clusterIP && spec.type !== 'ExternalName') {
        spec.clusterIP = oldSpec.clusterIP;
        spec.clusterIPs = oldSpec.clusterIPs;
      }
      if (needsNodePorts(spec)) {
        for (const p of spec.ports ?? []) {
          if (p.nodePort) continue;
          const before = (oldSpec.ports ?? []).find((o: Obj) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP'));
          if (before?.nodePort) p.nodePort = before.nodePort;
        }
      }
    },
    defaults(obj) {
      const spec = (obj.spec ??= {}) as Obj;
      spec.type ??= 'ClusterIP';
      spec.sessionAffinity ??= 'None';
      for (const p of spec.ports ?? []) {
        p.protocol ??= 'TCP';
        p.targetPort ??= p.port;
      }
      if (spec.type !== 'ExternalName') {
        spec.internalTrafficPolicy ??= 'Cluster';
        spec.ipFamilies ??= ['IPv4'];
        spec.ipFamilyPolicy ??= 'SingleStack';
      }
      if (needsNodePorts(spec)) spec.externalTrafficPolicy ??= 'Cluster';
      if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
      if (spec.clusterIP === 'None') spec.clusterIPs ??= ['None'];
    },
    validate(obj): FieldError[] {
      const spec = (obj.spec ?? {}) as Obj;
      const errs: FieldError[] = [];
      if (!serviceTypes.includes(spec.type)) errs.push(field.notSupported('spec.type', spec.type, serviceTypes));
      if (spec.type === 'ExternalName') {
        if (!spec.externalName) errs.push(field.required('spec.externalName'));
      } else if (!(spec.ports ?? []).length && spec.clusterIP !== 'None') {
        errs.push(field.required('spec.ports'));
      }
      const names = new Set<string>();
      for (const [i, p] of (spec.ports ?? []).entries()) {
        const pp = `spec.ports[${i}]`;
        if ((spec.ports.length > 1) && !p.name) errs.push(field.required(`${pp}.name`));
        if (p.name) {
          if (names.has(p.name)) errs.push(field.duplicate(`${pp}.name`, p.name));
          names.add(p.name);
        }
        if (!(p.port >= 1 && p.port <= 65535)) errs.push(field.invalid(`${pp}.port`, p.port, 'must be between 1 and 65535, inclusive'));
        if (!['TCP', 'UDP', 'SCTP'].includes(p.protocol)) errs.push(field.notSupported(`${pp}.protocol`, p.protocol, ['SCTP', 'TCP', 'UDP']));
        if (typeof p.targetPort === 'number' && !(p.targetPort >= 1 && p.targetPort <= 65535)) {
          errs.push(field.invalid(`${pp}.targetPort`, p.targetPort, 'must be between 1 and 65535, inclusive'));
        } else if (typeof p.targetPort === 'string') {
          for (const m of isValidPortName(p.targetPort)) errs.push(field.invalid(`${pp}.targetPort`, p.targetPort, m));
        }
        if (p.nodePort && !needsNodePorts(spec)) errs.push(field.forbidden(`${pp}.nodePort`, 'may not be used when `type` is \'ClusterIP\''));
      }
      if (!['None', 'ClientIP'].includes(spec.sessionAffinity)) errs.push(field.notSupported('spec.sessionAffinity', spec.sessionAffinity, ['ClientIP', 'None']));
      if (spec.clusterIP && spec.clusterIP !== 'None' && !/^\d+\.\d+\.\d+\.\d+$/.test(spec.clusterIP)) {
        errs.push(field.invalid('spec.clusterIPs[0]', spec.clusterIP, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'));
      }
      errs.push(...validateLabels(spec.selector, 'spec.selector'));
      return errs;
    },
    validateUpdate(obj, old) {
      const spec = (obj.spec ?? {}) as Obj;
      const oldSpec = (old.spec ?? {}) as Obj;
      if (oldSpec.clusterIP && spec.type !== 'ExternalName' && oldSpec.type !== 'ExternalName' && spec.clusterIP !== oldSpec.clusterIP) {
        return [field.invalid('spec.clusterIPs[0]', spec.clusterIP, 'may not change once set')];
      }
      return [];
    },
    beforeCreate: (obj, ctx) => allocate(obj, undefined, ctx),
    beforeUpdate: (obj, old, ctx) => allocate(obj, old, ctx),
    async afterDelete(obj, ctx) {
      const spec = (obj.spec ?? {}) as Obj;
      if (spec.clusterIP && spec.clusterIP !== 'None') await ctx.services.releaseClusterIP(spec.clusterIP);
      for (const p of spec.ports ?? []) if (p.nodePort) await ctx.services.releaseNodePort(p.nodePort);
    },
    table: tableOf([
      ['Type', 'string', 'type determines how the Service is exposed.', 0, (o: Obj) => o.spec?.type ?? ''],
      ['Cluster-IP', 'string', 'clusterIP is the IP address of the service and is usually assigned randomly by the master.', 0, (o: Obj) => o.spec?.clusterIP || '<none>'],
      ['External-IP', 'string', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.', 0, externalIP],
      ['Port(s)', 'string', 'The port that will be exposed by this service.', 0, (o: Obj) => formatPorts(o.spec?.ports)],
      ['Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector.', 1, (o: Obj) => {
        const s = Object.entries(o.spec?.selector ?? {});
        return s.length ? s.map(([k, v]) => `${k}=${v}`).join(',') : '<none>';
      }],
    ]),
  },
});

function externalIP(o: Obj): string {
  const spec = o.spec ?? {};
  const ips: string[] = [...(spec.externalIPs ?? [])];
  switch (spec.type) {
    case 'ExternalName': return spec.externalName ?? '<none>';
    case 'LoadBalancer': {
      const ingress: Obj[] = o.status?.loadBalancer?.ingress ?? [];
      for (const i of ingress) ips.push(i.ip || i.hostname);
      return ips.length ? ips.join(',') : '<pending>';
    }
    default: return ips.length ? ips.join(',') : '<none>';
  }
}

function formatPorts(ports: Obj[] | undefined): string {
  if (!ports?.length) return '<none>';
  return ports.map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol}` : `${p.port}/${p.protocol}`)).join(',');
}
