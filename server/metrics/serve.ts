// GET /metrics: the Prometheus text exposition of this instance's registry. Who may read it is
// RBAC's decision, as kube's (a non-resource URL: `get` on /metrics).
import { errors } from '../api/errors.js';
import type { Exchange } from '../http/exchange.js';
import type { APIServerMetrics } from './apiserver-metrics.js';

export async function serveMetrics(ex: Exchange, metrics: APIServerMetrics): Promise<void> {
  if (ex.method !== 'GET' && ex.method !== 'HEAD') throw errors.methodNotAllowed();
  ex.send(200, await metrics.expose(), metrics.registry.contentType);
}
