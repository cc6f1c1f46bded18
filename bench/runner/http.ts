// HTTP for benchmark programs: node:http (or node:https for the kube-apiserver peer, which serves
// only TLS) on one keep-alive Agent per protocol; measured faster here than undici fetch for small requests.
import http from 'node:http';
import https from 'node:https';

export const keepAliveAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });
// The peer's certificate is self-signed and made fresh for each run: nothing to verify it against.
export const keepAliveTlsAgent = new https.Agent({ keepAlive: true, maxSockets: 256, rejectUnauthorized: false });

export interface Reply { status: number; body: string }

/** An answer with a status >= 300: `status` says which (409 AlreadyExists when seeding twice). */
export class HttpError extends Error {
  constructor(message: string, readonly status: number) {
    super(message);
  }
}

export interface RequestOptions {
  /** Sent as `Authorization: Bearer <token>` (the peer's admin token). */
  token?: string;
  contentType?: string;
}

/** The request function and agent for a base URL's protocol. */
export function transport(base: string): { get: typeof http.request; agent: http.Agent } {
  return base.startsWith('https:') ? { get: https.request, agent: keepAliveTlsAgent } : { get: http.request, agent: keepAliveAgent };
}

/**
 * One request; rejects on a transport error or a status >= 300 (benchmarks count it as an error).
 * A kept-alive socket the server closed as idle (uWebSockets.js after 10 s) just as it was reused
 * resets before any answer: that request never reached the server, and is sent once more.
 */
export async function request(base: string, method: string, p: string, body?: string, opts: RequestOptions = {}): Promise<Reply> {
  try {
    return await requestOnce(base, method, p, body, opts);
  } catch (e) {
    if (!(e instanceof StaleSocket)) throw e;
    return requestOnce(base, method, p, body, opts);
  }
}

class StaleSocket extends Error {}

function requestOnce(base: string, method: string, p: string, body: string | undefined, opts: RequestOptions): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = body ? { 'Content-Type': opts.contentType ?? 'application/json', 'Content-Length': Buffer.byteLength(body) } : {};
    if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
    const { get, agent } = transport(base);
    const req = get(base + p, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        const status = res.statusCode ?? 0;
        if (status >= 300) reject(new HttpError(`${method} ${p}: ${status} ${text.slice(0, 200)}`, status));
        else resolve({ status, body: text });
      });
      res.on('error', reject);
    });
    req.on('error', (e: NodeJS.ErrnoException) => reject(req.reusedSocket && e.code === 'ECONNRESET' ? new StaleSocket(e.message) : e));
    if (body) req.write(body);
    req.end();
  });
}
