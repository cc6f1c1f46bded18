// /healthz, /livez and /readyz with kube-apiserver's output: `[+]etcd ok`, `?verbose`, `/readyz/etcd`.
import type { Exchange } from '../http/exchange.js';
import { logger } from '../logging/logger.js';

export interface HealthCheck {
  name: string;
  /** Resolves when healthy; rejects with the reason otherwise. */
  check(): Promise<void>;
  /** A word on how it is healthy, shown by ?verbose after `ok` (the watch feed's source). */
  detail?(): string;
}

export interface HealthEndpoints {
  livez: HealthCheck[];
  readyz: HealthCheck[];
}

/** Serves /healthz, /livez, /readyz and their per-check paths; false if the path is not one of them. */
export async function serveHealth(ex: Exchange, endpoints: HealthEndpoints): Promise<boolean> {
  const m = ex.path.match(/^\/(healthz|livez|readyz)(?:\/([^/]+))?\/?$/);
  if (!m) return false;
  const [, kind, only] = m;
  const checks = kind === 'readyz' ? endpoints.readyz : kind === 'livez' ? endpoints.livez : endpoints.readyz;
  const exclude = new Set(ex.query.getAll('exclude'));
  if (only) {
    const c = checks.find((x) => x.name === only);
    if (!c) {
      ex.send(404, '404 page not found\n', 'text/plain; charset=utf-8');
      return true;
    }
    const ok = await run(c);
    ex.send(ok.ok ? 200 : 500, ok.ok ? 'ok' : `internal server error: ${ok.reason}\n`, 'text/plain; charset=utf-8');
    return true;
  }
  const results = await Promise.all(checks.filter((c) => !exclude.has(c.name)).map(async (c) => ({ c, r: await run(c) })));
  const failed = results.some(({ r }) => !r.ok);
  const verbose = ex.query.has('verbose') || failed;
  if (!verbose) {
    ex.send(200, 'ok', 'text/plain; charset=utf-8');
    return true;
  }
  const lines = results.map(({ c, r }) => (r.ok ? `[+]${c.name} ok${c.detail ? ` (${c.detail()})` : ''}` : `[-]${c.name} failed: reason withheld`));
  for (const e of exclude) lines.push(`[+]${e} excluded: ok`);
  lines.push(failed ? `${kind} check failed` : `${kind} check passed`);
  ex.send(failed ? 500 : 200, lines.join('\n') + '\n', 'text/plain; charset=utf-8');
  if (failed) logger.error(`${kind} check failed: ${results.filter(({ r }) => !r.ok).map(({ c, r }) => `${c.name}: ${r.reason}`).join('; ')}`);
  return true;
}

async function run(c: HealthCheck): Promise<{ ok: boolean; reason?: string }> {
  try {
    await c.check();
    return { ok: true };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}
