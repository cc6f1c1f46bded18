// HTTP for benchmark programs: node:http on one keep-alive Agent (measured faster here than
// undici fetch for small requests; bench/core.ts records both for GET).
import http from 'node:http';

export const keepAliveAgent = new http.Agent({ keepAlive: true, maxSockets: 256 });

export interface Reply { status: number; body: string }

/** One request; rejects on a transport error or a status >= 300 (benchmarks count it as an error). */
export function request(base: string, method: string, p: string, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = body ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {};
    const req = http.request(base + p, { method, agent: keepAliveAgent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        const status = res.statusCode ?? 0;
        if (status >= 300) reject(new Error(`${method} ${p}: ${status} ${text.slice(0, 200)}`));
        else resolve({ status, body: text });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

/** The same request through Node's built-in fetch (undici, keep-alive by default), for comparison. */
export async function fetchRequest(base: string, method: string, p: string, body?: string): Promise<Reply> {
  const res = await fetch(base + p, { method, body, headers: body ? { 'Content-Type': 'application/json' } : undefined });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${text.slice(0, 200)}`);
  return { status: res.status, body: text };
}
