// Where a webhook's `service` reference is called. kube-apiserver dials the Service's cluster IP
// (its default resolver); this server has no network for cluster IPs, so it resolves as kube does
// with --enable-aggregator-routing: a ready endpoint of the Service's EndpointSlices (then of its
// Endpoints, for clusters with no slice mirroring), on the endpoint port named as the Service port.
// ExternalName Services are called at their external name, as kube's resolver calls them.
import { errors } from '../api/errors.js';
import type { CachedReads } from './cached-reads.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

export interface ResolvedService {
  /** host:port to connect to. */
  host: string;
  port: number;
  /** The name the serving certificate must carry: `<name>.<namespace>.svc`. */
  serverName: string;
}

export class ServiceResolver {
  constructor(private readonly reads: CachedReads) {}

  async resolve(namespace: string, name: string, port: number): Promise<ResolvedService> {
    const serverName = `${name}.${namespace}.svc`;
    const svc = (await this.reads.get('', 'services', namespace, name)) as Obj | undefined;
    if (!svc) throw errors.notFound({ group: '', resource: 'services' }, name);
    const spec = (svc.spec ?? {}) as Obj;
    const type = spec.type ?? 'ClusterIP';
    if (type === 'ExternalName') return { host: spec.externalName, port, serverName };
    if (!['ClusterIP', 'NodePort', 'LoadBalancer'].includes(type)) throw new Error(`unsupported service type ${JSON.stringify(type)}`);
    const svcPort = ((spec.ports ?? []) as Obj[]).find((p) => p.port === port);
    if (!svcPort) throw errors.unavailable(`no service port ${port} found for service ${JSON.stringify(name)}`);
    const portName = svcPort.name ?? '';

    const slices = await this.reads.list('discovery.k8s.io', 'endpointslices', namespace, 'kubernetes.io/service-name', name);
    for (const slice of shuffled(slices as Obj[])) {
      for (const p of (slice.ports ?? []) as Obj[]) {
        if ((p.name ?? '') !== portName || p.port === undefined) continue;
        const ready = ((slice.endpoints ?? []) as Obj[]).filter((ep) => ep.conditions?.ready !== false && ep.addresses?.length);
        if (ready.length) return { host: pick(ready).addresses[0], port: p.port, serverName };
      }
    }
    const eps = (await this.reads.get('', 'endpoints', namespace, name)) as Obj | undefined;
    for (const subset of shuffled((eps?.subsets ?? []) as Obj[])) {
      if (!subset.addresses?.length) continue;
      const p = ((subset.ports ?? []) as Obj[]).find((x) => (x.name ?? '') === portName);
      if (p) return { host: pick(subset.addresses as Obj[]).ip, port: p.port, serverName };
    }
    throw errors.unavailable(`no endpoints available for service ${JSON.stringify(name)}`);
  }
}

function pick<T>(list: T[]): T {
  return list[Math.floor(Math.random() * list.length)];
}

function shuffled<T>(list: T[]): T[] {
  const out = [...list];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
