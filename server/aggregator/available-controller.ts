// kube-aggregator's AvailableConditionController (remote and local): every APIService's Available
// condition, with kube's reasons. A proxied one is checked as kube checks it — the Service, its
// port and endpoints for a ClusterIP Service, then a GET of its discovery document as
// system:kube-aggregator (system:masters) that must answer 2xx/3xx within 5 s. Every instance may run
// it: it writes only a change, with the resourceVersion it read, so instances that see the same
// extension server agree and a conflict means another was first.
import https from 'node:https';
import { ApiError } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import type { CachedReads } from '../admission/cached-reads.js';
import type { PrefixFollower } from '../registry/follower.js';
import type { GenericStore } from '../registry/store.js';
import type { ResourceType } from '../registry/types.js';
import { identityHeaders } from './identity-headers.js';
import type { ProxyTransports } from './proxy.js';
import type { APIServiceResolver } from './service-resolution.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

export interface AvailableCondition {
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

const discoveryTimeoutMs = 5000;

/** kube's SetAPIServiceCondition: the transition time moves only when the status does. */
export function withAvailableCondition(status: Obj | undefined, c: AvailableCondition, now = new Date()): Obj {
  const conditions = [...((status?.conditions ?? []) as Obj[])];
  const i = conditions.findIndex((x) => x.type === 'Available');
  const prev = i >= 0 ? conditions[i] : undefined;
  const lastTransitionTime = prev && prev.status === c.status ? prev.lastTransitionTime : now.toISOString().replace(/\.\d+Z$/, 'Z');
  const next = { type: 'Available', status: c.status, lastTransitionTime, reason: c.reason, message: c.message };
  if (i >= 0) conditions[i] = next;
  else conditions.push(next);
  return { ...(status ?? {}), conditions };
}

export class AvailableConditionController {
  private timer?: NodeJS.Timeout;
  private readonly inFlight = new Set<string>();
  private stopped = false;

  constructor(private readonly store: GenericStore, private readonly apiservices: ResourceType, private readonly follower: PrefixFollower,
    private readonly reads: CachedReads, private readonly resolver: APIServiceResolver, private readonly transports: ProxyTransports,
    private readonly resyncMs: number) {}

  start(): void {
    this.timer = setInterval(() => this.checkAll(), this.resyncMs);
    this.timer.unref();
    this.checkAll();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  checkAll(): void {
    if (!this.follower.synced) return;
    for (const obj of this.follower.values()) this.enqueue(obj.metadata.name!);
  }

  /** Checks one APIService unless a check of it is running already. */
  enqueue(name: string): void {
    if (this.stopped || this.inFlight.has(name)) return;
    this.inFlight.add(name);
    void this.sync(name).catch(() => undefined).finally(() => this.inFlight.delete(name));
  }

  private async sync(name: string): Promise<void> {
    const obj = this.follower.get(`/${name}`);
    if (!obj) return;
    const condition = await this.availability(obj);
    const status = withAvailableCondition(obj.status as Obj | undefined, condition);
    if (JSON.stringify(status) === JSON.stringify(obj.status ?? {})) return;
    try {
      await this.store.update(this.apiservices, '', name, { ...obj, status }, { dryRun: false, fieldValidation: 'Ignore', warnings: [], fieldManager: 'kube-apiserver' }, 'status');
    } catch (e) {
      // Changed or gone meanwhile: its event brings another check.
      if (!(e instanceof ApiError && (e.reason === 'Conflict' || e.reason === 'NotFound'))) throw e;
    }
  }

  /** kube's checks, in its order, with its reasons and messages. */
  async availability(obj: KubeObject): Promise<AvailableCondition> {
    const spec = (obj.spec ?? {}) as Obj;
    if (!spec.service) return { status: 'True', reason: 'Local', message: 'Local APIServices are always available' };
    const { namespace, name } = spec.service as { namespace: string; name: string };
    const port: number = spec.service.port ?? 443;
    const svcName = `service/${name} in ${JSON.stringify(namespace)}`;
    let svc: Obj | undefined;
    try {
      svc = await this.reads.get('', 'services', namespace, name);
    } catch (e) {
      return { status: 'Unknown', reason: 'ServiceAccessError', message: `${svcName} cannot be checked due to: ${(e as Error).message}` };
    }
    if (!svc) return { status: 'False', reason: 'ServiceNotFound', message: `${svcName} is not present` };
    if ((svc.spec?.type ?? 'ClusterIP') === 'ClusterIP') {
      const svcPort = ((svc.spec?.ports ?? []) as Obj[]).find((p) => p.port === port);
      if (!svcPort) return { status: 'False', reason: 'ServicePortError', message: `${svcName} is not listening on port ${port}` };
      const portName = svcPort.name ?? '';
      const slices = await this.reads.list('discovery.k8s.io', 'endpointslices', namespace, 'kubernetes.io/service-name', name);
      if (!slices.length) return { status: 'False', reason: 'EndpointsNotFound', message: `cannot find endpointslices for ${svcName}` };
      const active = (slices as Obj[]).some((s) => ((s.endpoints ?? []) as Obj[]).some((ep) => ep.conditions?.ready !== false)
        && ((s.ports ?? []) as Obj[]).some((p) => p.name !== undefined && p.name === portName && p.port !== undefined));
      if (!active) return { status: 'False', reason: 'MissingEndpoints', message: `endpointslices for ${svcName} have no addresses with port name ${JSON.stringify(portName)}` };
    }
    const problem = await this.discoveryCheck(obj, spec, namespace, name, port);
    if (problem) return { status: 'False', reason: 'FailedDiscoveryCheck', message: problem };
    return { status: 'True', reason: 'Passed', message: 'all checks passed' };
  }

  /** The GET of the group/version's discovery document; undefined when it answered 2xx or 3xx. */
  private async discoveryCheck(obj: KubeObject, spec: Obj, namespace: string, name: string, port: number): Promise<string | undefined> {
    let target;
    try {
      target = await this.resolver.resolve({ namespace, name, port });
    } catch (e) {
      return (e as Error).message;
    }
    const path = obj.metadata.name === 'v1.' ? `/api/${spec.version}` : `/apis/${spec.group}/${spec.version}`;
    const host = target.host.includes(':') ? `[${target.host}]` : target.host;
    const url = `https://${host}:${target.port}${path}`;
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of identityHeaders({ name: 'system:kube-aggregator', groups: ['system:masters'] })) headers[k] = headers[k] ? [headers[k] as string, v].flat() : v;
    const agent = this.transports.insecureAgent();
    try {
      return await new Promise<string | undefined>((resolve) => {
        const req = https.request({ host: target.host, port: target.port, path, method: 'GET', headers, agent, timeout: discoveryTimeoutMs }, (res) => {
          res.resume();
          const code = res.statusCode ?? 0;
          resolve(code >= 200 && code < 300 ? undefined : code >= 300 && code < 400 ? undefined : `bad status from ${url}: ${code}`);
        });
        req.on('timeout', () => {
          req.destroy();
          resolve(`timed out waiting for ${url}`);
        });
        req.on('error', (e: Error & { code?: string }) => {
          const why = e.code === 'ECONNREFUSED' ? `dial tcp ${host}:${target.port}: connect: connection refused` : e.message;
          resolve(`failing or missing response from ${url}: Get "${url}": ${why}`);
        });
        req.end();
      });
    } finally {
      agent.destroy();
    }
  }
}
