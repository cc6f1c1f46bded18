// kube-aggregator's proxy handler: a request under an aggregated group/version goes to the extension
// server over TLS (caBundle, or no verification with insecureSkipTLSVerify; the name checked is
// <service>.<namespace>.svc), presenting the front-proxy client certificate and the user as
// X-Remote-* headers. Complete answers are relayed whole; streams (watches) are relayed as they come.
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import { checkServerIdentity } from 'node:tls';
import type { KubeObject } from '../api/object.js';
import type { Exchange } from '../http/exchange.js';
import { identityHeaders, isStrippedRequestHeader } from './identity-headers.js';
import type { ResolvedService } from '../admission/service-resolver.js';
import type { APIServiceResolver } from './service-resolution.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

export interface ProxyClientCertificate {
  cert: string;
  key: string;
}

/** Hop-by-hop headers (RFC 9110) and what the relay sets itself. */
const hopByHop = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'host', 'content-length', 'proxy-authorization', 'proxy-authenticate']);

/** kube's proxyError: http.Error's plain text. */
export function sendProxyError(ex: Exchange, status: number, message: string): void {
  ex.send(status, `${message}\n`, 'text/plain; charset=utf-8', { 'X-Content-Type-Options': 'nosniff' });
}

/** One https.Agent per APIService version of its TLS settings, so connections are reused. */
export class ProxyTransports {
  private readonly agents = new Map<string, { key: string; agent: https.Agent }>();

  constructor(private readonly client: ProxyClientCertificate | undefined) {}

  agentFor(apiService: KubeObject): https.Agent {
    const spec = (apiService.spec ?? {}) as Obj;
    const name = apiService.metadata.name!;
    const key = `${spec.caBundle ?? ''}|${spec.insecureSkipTLSVerify === true}|${spec.service?.namespace}/${spec.service?.name}`;
    const cur = this.agents.get(name);
    if (cur?.key === key) return cur.agent;
    cur?.agent.destroy();
    const agent = new https.Agent({
      keepAlive: true,
      ...(this.client ?? {}),
      ...(spec.insecureSkipTLSVerify ? { rejectUnauthorized: false } : spec.caBundle ? { ca: Buffer.from(spec.caBundle, 'base64').toString() } : {}),
    });
    this.agents.set(name, { key, agent });
    return agent;
  }

  /** An agent for a one-off check that verifies nothing (kube's availability check is insecure on purpose). */
  insecureAgent(): https.Agent {
    return new https.Agent({ keepAlive: false, rejectUnauthorized: false, ...(this.client ?? {}) });
  }

  forget(name: string): void {
    this.agents.get(name)?.agent.destroy();
    this.agents.delete(name);
  }

  destroy(): void {
    for (const { agent } of this.agents.values()) agent.destroy();
    this.agents.clear();
  }
}

/** The TLS side of a request to an extension server: its agent, and the Service's DNS name as the name checked. */
export function tlsFor(apiService: KubeObject, target: ResolvedService, transports: ProxyTransports): Pick<https.RequestOptions, 'agent' | 'servername' | 'checkServerIdentity'> {
  const insecure = (apiService.spec as Obj | undefined)?.insecureSkipTLSVerify === true;
  return {
    agent: transports.agentFor(apiService),
    servername: target.serverName,
    checkServerIdentity: (_host, cert) => (insecure ? undefined : checkServerIdentity(target.serverName, cert)),
  };
}

const hasBody = (ex: Exchange): boolean => ['POST', 'PUT', 'PATCH'].includes(ex.method) || Number(ex.headers['content-length'] ?? 0) > 0 || ex.headers['transfer-encoding'] !== undefined;

/** Relays `ex` to the extension server of `apiService`; answers 503 with kube's text when it cannot be reached. */
export async function proxyToExtension(ex: Exchange, apiService: KubeObject, resolver: APIServiceResolver, transports: ProxyTransports): Promise<void> {
  const spec = (apiService.spec ?? {}) as Obj;
  const user = ex.user;
  if (!user) return sendProxyError(ex, 500, 'missing user');
  let target: ResolvedService;
  try {
    target = await resolver.resolve({ namespace: spec.service.namespace, name: spec.service.name, port: spec.service.port ?? 443 });
  } catch {
    return sendProxyError(ex, 503, 'service unavailable');
  }
  const body = hasBody(ex) ? await ex.readBody() : undefined;
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(ex.headers)) {
    if (hopByHop.has(k) || isStrippedRequestHeader(k)) continue;
    headers[k] = ex.headerValues(k).length > 1 ? ex.headerValues(k) : v;
  }
  for (const [k, v] of identityHeaders(user)) {
    const prev = headers[k];
    headers[k] = prev === undefined ? v : [...(Array.isArray(prev) ? prev : [prev]), v];
  }
  if (body) headers['content-length'] = String(body.length);

  await new Promise<void>((resolve) => {
    const req = https.request({ host: target.host, port: target.port, method: ex.method, path: ex.requestURI, headers, ...tlsFor(apiService, target, transports) });
    const done = () => resolve();
    ex.onAbort(() => req.destroy());
    req.on('error', (e) => {
      if (!ex.hasStarted) sendProxyError(ex, 503, goDialError(e, target.host, target.port));
      else ex.end();
      done();
    });
    req.on('response', (res) => relay(ex, res, done));
    req.end(body);
  });
}

/** Go's dial error text, as kube's responder writes it. */
function goDialError(e: Error & { code?: string }, host: string, port: number): string {
  if (e.code === 'ECONNREFUSED') return `dial tcp ${host}:${port}: connect: connection refused`;
  return e.message;
}

function responseHeaders(res: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers)) {
    // Date and Audit-Id are this server's own.
    if (v === undefined || hopByHop.has(k) || k === 'content-type' || k === 'date' || k === 'audit-id') continue;
    // Exchange.send adds its own Cache-Control unless given one by this exact name.
    const name = k === 'cache-control' ? 'Cache-Control' : k;
    out[name] = Array.isArray(v) ? v.join(', ') : v;
  }
  return out;
}

function relay(ex: Exchange, res: IncomingMessage, done: () => void): void {
  const status = res.statusCode ?? 502;
  const contentType = res.headers['content-type'] ?? '';
  const streaming = res.headers['content-length'] === undefined && (status === 200 || status === 201) && ex.method !== 'HEAD';
  if (!streaming) {
    const chunks: Buffer[] = [];
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => {
      ex.send(status, Buffer.concat(chunks), contentType, responseHeaders(res));
      done();
    });
    res.on('error', () => {
      ex.end();
      done();
    });
    return;
  }
  ex.beginRelay(status, contentType, responseHeaders(res));
  res.on('data', (c: Buffer) => ex.write(c));
  res.on('end', () => {
    ex.endStream();
    done();
  });
  res.on('error', () => {
    ex.endStream();
    done();
  });
}
