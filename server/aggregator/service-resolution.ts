// Where an APIService's Service is called, with kube's two resolvers: by default the Service's
// cluster IP (an ExternalName Service at its external name), with --enable-aggregator-routing an
// endpoint of the Service (kube's NewEndpointServiceResolver; the webhook resolver does the same).
import { errors } from '../api/errors.js';
import type { CachedReads } from '../admission/cached-reads.js';
import { ServiceResolver, type ResolvedService } from '../admission/service-resolver.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

export interface ServiceReference {
  namespace: string;
  name: string;
  port: number;
}

export class APIServiceResolver {
  private readonly endpoints: ServiceResolver;

  constructor(private readonly reads: CachedReads, private readonly enableAggregatorRouting: boolean) {
    this.endpoints = new ServiceResolver(reads);
  }

  async resolve(ref: ServiceReference): Promise<ResolvedService> {
    if (this.enableAggregatorRouting) return this.endpoints.resolve(ref.namespace, ref.name, ref.port);
    const serverName = `${ref.name}.${ref.namespace}.svc`;
    const svc = (await this.reads.get('', 'services', ref.namespace, ref.name)) as Obj | undefined;
    if (!svc) throw errors.notFound({ group: '', resource: 'services' }, ref.name);
    const spec = (svc.spec ?? {}) as Obj;
    if (spec.type === 'ExternalName') return { host: spec.externalName, port: ref.port, serverName };
    if (!spec.clusterIP || spec.clusterIP === 'None') throw errors.unavailable(`service ${JSON.stringify(ref.name)} has no cluster IP`);
    if (!((spec.ports ?? []) as Obj[]).some((p) => p.port === ref.port)) throw errors.unavailable(`no service port ${ref.port} found for service ${JSON.stringify(ref.name)}`);
    return { host: spec.clusterIP, port: ref.port, serverName };
  }
}
