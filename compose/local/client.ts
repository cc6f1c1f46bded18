// A request to the control plane as the launcher's admin: plain HTTP, or HTTPS with the CA and
// client certificate (or bearer token) of a kubeconfig (the one the launcher wrote).
import http from 'node:http';
import https from 'node:https';
import { readKubeconfig } from '../../pki/kubeconfig.js';

export function clusterRequest(base: string, kubeconfigFile: string | undefined, method: string, path: string, body?: string): Promise<{ status: number; body: string }> {
  const url = new URL(path, base);
  const kc = kubeconfigFile ? readKubeconfig(kubeconfigFile) : undefined;
  const creds = kc ? { ca: kc.ca, cert: kc.cert, key: kc.key } : {};
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = body ? { 'content-type': 'application/json' } : {};
    if (kc?.token) headers.authorization = `Bearer ${kc.token}`;
    const req = mod.request(url, { method, ...creds, headers, timeout: 10000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${url} timed out`)));
    req.on('error', reject);
    req.end(body);
  });
}
