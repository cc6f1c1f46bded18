// Posts an AdmissionReview to a webhook over HTTPS (node:https), as kube's webhook client does:
// `url`, or `service` resolved by the ServiceResolver and verified as `<name>.<namespace>.svc`;
// `caBundle` as the only trusted roots when set (the system's otherwise); `timeoutSeconds` as the
// deadline, also sent as `?timeout=Ns`. Failures carry Go's wording (`Post "...": context deadline exceeded`).
import https from 'node:https';
import { isIP } from 'node:net';
import { ApiError, errors } from '../api/errors.js';
import { stringifyJSON } from '../api/json.js';
import type { ServiceResolver } from './service-resolver.js';
import type { WebhookSpec } from './webhook-configurations.js';
import { traced, traceHeaders } from '../tracing/tracing.js';

/** A response larger than this is refused (kube's webhook responses are bounded by the request size limits too). */
const maxResponseBytes = 16 * 1024 * 1024;

/** kube's ErrCallingWebhook: the call failed; failurePolicy decides whether that refuses the request. */
export class WebhookCallError extends Error {
  constructor(readonly webhook: string, readonly reason: string, readonly status: ApiError) {
    super(`failed calling webhook ${JSON.stringify(webhook)}: ${reason}`);
  }
}

export class WebhookClient {
  /** Keep-alive agents by trust and server name, as kube caches a client per webhook config. */
  private readonly agents = new Map<string, https.Agent>();

  constructor(private readonly resolver: ServiceResolver) {}

  close(): void {
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
  }

  /** Posts `review` and returns the parsed answer; throws WebhookCallError for any failure to get one. */
  post(h: WebhookSpec, review: unknown): Promise<unknown> {
    return traced('admission webhook', { 'k8s.webhook.name': h.name }, () => this.call(h, review));
  }

  private async call(h: WebhookSpec, review: unknown): Promise<unknown> {
    const timeoutSeconds: number = h.timeoutSeconds ?? 10;
    const cc = (h.clientConfig ?? {}) as WebhookSpec;
    let target: { host: string; port: number; path: string; serverName?: string; shown: string };
    try {
      target = await this.target(cc, timeoutSeconds);
    } catch (e) {
      const status = e instanceof ApiError ? e : errors.internal((e as Error).message);
      throw new WebhookCallError(h.name, `failed to call webhook: ${e instanceof ApiError ? e.message : (e as Error).message}`, status);
    }
    const ca = cc.caBundle ? Buffer.from(cc.caBundle, 'base64').toString() : undefined;
    const body = Buffer.from(stringifyJSON(review));
    return new Promise((resolve, reject) => {
      const fail = (why: string, status: ApiError = errors.unavailable('error calling webhook')) =>
        reject(new WebhookCallError(h.name, `failed to call webhook: Post ${JSON.stringify(target.shown)}: ${why}`, status));
      const req = https.request({
        host: target.host, port: target.port, path: target.path, method: 'POST', agent: this.agent(ca, target.serverName),
        ca, servername: target.serverName,
        headers: { 'content-type': 'application/json', accept: 'application/json, */*', 'content-length': body.length, ...traceHeaders() },
      }, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          size += c.length;
          if (size > maxResponseBytes) req.destroy(new Error('response body too large'));
          else chunks.push(c);
        });
        res.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(chunks).toString();
          const code = res.statusCode ?? 0;
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          if (code < 200 || code > 299) {
            const st = parsed as { kind?: string; message?: string; code?: number } | undefined;
            if (st?.kind === 'Status') return reject(new WebhookCallError(h.name, `failed to call webhook: ${st.message ?? ''}`, new ApiError(st.code ?? code, '', st.message ?? '')));
            return fail(`an error on the server (${JSON.stringify(text.slice(0, 1024))}) has prevented the request from succeeding`, new ApiError(code || 500, 'InternalError', text));
          }
          if (parsed === undefined) return fail(`couldn't get version/kind; json parse error: ${text.slice(0, 200)}`);
          resolve(parsed);
        });
        res.on('error', (e) => fail(e.message));
      });
      // The whole call, connection included, has the webhook's timeout (kube's context deadline).
      const timer = setTimeout(() => req.destroy(Object.assign(new Error('context deadline exceeded'), { code: 'DEADLINE' })), timeoutSeconds * 1000);
      req.on('error', (e: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        fail(goError(e, target));
      });
      req.end(body);
    });
  }

  private async target(cc: WebhookSpec, timeoutSeconds: number): Promise<{ host: string; port: number; path: string; serverName?: string; shown: string }> {
    const query = `?timeout=${timeoutSeconds}s`;
    if (cc.url) {
      const u = new URL(cc.url);
      const host = u.hostname.replace(/^\[|\]$/g, '');
      const port = u.port ? Number(u.port) : 443;
      return { host, port, path: (u.pathname || '/') + query, serverName: isIP(host) ? undefined : host, shown: `${u.origin}${u.pathname}${query}` };
    }
    const svc = cc.service as { namespace: string; name: string; path?: string; port?: number };
    const port = svc.port ?? 443;
    const path = (svc.path || '/') + query;
    const shown = `https://${svc.name}.${svc.namespace}.svc:${port}${path}`;
    const r = await this.resolver.resolve(svc.namespace, svc.name, port);
    return { host: r.host, port: r.port, path, serverName: r.serverName, shown };
  }

  private agent(ca: string | undefined, serverName: string | undefined): https.Agent {
    const key = `${serverName ?? ''}\n${ca ?? ''}`;
    let a = this.agents.get(key);
    if (!a) {
      a = new https.Agent({ keepAlive: true, maxSockets: 100 });
      if (this.agents.size > 1000) this.close();
      this.agents.set(key, a);
    }
    return a;
  }
}

/** Node's failure as Go's net/http and crypto/tls word it, where users know the text. */
function goError(e: NodeJS.ErrnoException, target: { host: string; port: number }): string {
  const addr = `${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
  switch (e.code) {
    case 'DEADLINE': return 'context deadline exceeded';
    case 'ECONNREFUSED': return `dial tcp ${addr}: connect: connection refused`;
    case 'ENOTFOUND': return `dial tcp: lookup ${target.host}: no such host`;
    case 'ECONNRESET': return 'EOF';
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE': case 'SELF_SIGNED_CERT_IN_CHAIN': case 'DEPTH_ZERO_SELF_SIGNED_CERT': case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
    case 'CERT_HAS_EXPIRED': return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
    case 'ERR_TLS_CERT_ALTNAME_INVALID': return `tls: failed to verify certificate: x509: certificate is not valid for ${target.host}: ${e.message}`;
    default: return e.message;
  }
}
