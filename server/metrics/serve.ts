// GET /metrics: Prometheus text exposition of what this instance reports about itself.
import { errors } from '../api/errors.js';
import type { Exchange } from '../http/exchange.js';

export function serveMetrics(ex: Exchange, lines: string[]): void {
  if (ex.method !== 'GET' && ex.method !== 'HEAD') throw errors.methodNotAllowed();
  ex.send(200, lines.join('\n') + '\n', 'text/plain; version=0.0.4; charset=utf-8');
}
