// GET componentstatuses: kube's componentstatus REST, probing what it probes on every read — the
// scheduler's and the controller manager's /healthz on their default secure ports, and etcd (one
// storage backend, "etcd-0") — and answering what each said.
import https from 'node:https';
import { errors } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { negotiate } from '../../http/negotiate.js';
import type { GenericStore } from '../../registry/store.js';
import { toTable } from '../../table/convert.js';
import { checkTableOptions, type HandlerContext, includeObject, respondObject } from './context.js';

/** kube's probeTimeOut is 20 s; a component that has not answered in 5 s is as good as down for `kubectl get cs`. */
const probeTimeoutMs = 5000;

interface Probe { status: 'True' | 'False' | 'Unknown'; message: string; error?: string }

/** kube's serversToValidate, in the order kube's map usually lists them. */
function components(store: GenericStore): Record<string, () => Promise<Probe>> {
  return {
    scheduler: () => probeHealthz(10259),
    'controller-manager': () => probeHealthz(10257),
    'etcd-0': async () => {
      try {
        await store.storage.currentRevision();
        return { status: 'True', message: 'ok' };
      } catch (e) {
        return { status: 'False', message: '', error: (e as Error).message };
      }
    },
  };
}

/** kube's HTTP prober: 2xx/3xx is healthy with the body as message; a refused connection is a failure, in Go's words. */
function probeHealthz(port: number): Promise<Probe> {
  const url = `https://127.0.0.1:${port}/healthz`;
  return new Promise((resolve) => {
    const req = https.get(url, { rejectUnauthorized: false, timeout: probeTimeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { body += chunk; });
      res.on('end', () => {
        const code = res.statusCode ?? 0;
        resolve(code >= 200 && code < 400 ? { status: 'True', message: body } : { status: 'False', message: `HTTP probe failed with statuscode: ${code}` });
      });
    });
    req.on('timeout', () => req.destroy(new Error('context deadline exceeded (Client.Timeout exceeded while awaiting headers)')));
    req.on('error', (e: NodeJS.ErrnoException) => {
      const why = e.code === 'ECONNREFUSED' ? `dial tcp 127.0.0.1:${port}: connect: connection refused` : e.message;
      resolve({ status: 'False', message: `Get "${url}": ${why}` });
    });
  });
}

/** kube marks the whole resource deprecated: every answer carries this warning. */
const deprecated = 'v1 ComponentStatus is deprecated in v1.19+';

function componentStatus(name: string, probe: Probe): KubeObject {
  const condition: Record<string, string> = { type: 'Healthy', status: probe.status, message: probe.message };
  if (probe.error) condition.error = probe.error;
  if (!probe.message) delete condition.message;
  return { kind: 'ComponentStatus', apiVersion: 'v1', metadata: { name }, conditions: [condition] };
}

export async function getComponentStatus(ctx: HandlerContext): Promise<void> {
  ctx.ex.warnings.push(deprecated);
  const probe = components(ctx.store)[ctx.info.name];
  if (!probe) throw errors.notFound({ group: '', resource: 'componentstatus' }, ctx.info.name);
  respondObject(ctx, 200, componentStatus(ctx.info.name, await probe()));
}

export async function listComponentStatuses(ctx: HandlerContext): Promise<void> {
  ctx.ex.warnings.push(deprecated);
  const rep = negotiate(ctx.ex.headers.accept, true);
  const probes = Object.entries(components(ctx.store));
  const items = await Promise.all(probes.map(async ([name, probe]) => componentStatus(name, await probe())));
  if (rep === 'table') {
    checkTableOptions(ctx);
    ctx.ex.sendJSON(200, toTable(items, ctx.rt.strategy.table, { includeObject: includeObject(ctx), listMeta: {} }));
    return;
  }
  // Items of a typed list carry no kind or apiVersion of their own.
  const bare = items.map(({ kind: _k, apiVersion: _v, ...rest }) => rest);
  respondObject(ctx, 200, { kind: 'ComponentStatusList', apiVersion: 'v1', metadata: {}, items: bare });
}
