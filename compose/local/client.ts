// A request to the control plane as the launcher's admin: plain HTTP, or HTTPS with the CA and
// client certificate of a kubeconfig (the one the launcher wrote).
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { parse } from 'yaml';

export interface ClientCredentials { ca?: string; cert?: string; key?: string }

/** The CA and client certificate embedded in a kubeconfig's current context. */
export function kubeconfigCredentials(file: string): ClientCredentials {
  const doc = parse(readFileSync(file, 'utf8')) as {
    'current-context'?: string;
    contexts?: { name: string; context: { cluster: string; user: string } }[];
    clusters?: { name: string; cluster: Record<string, string> }[];
    users?: { name: string; user: Record<string, string> }[];
  };
  const ctx = doc.contexts?.find((c) => c.name === doc['current-context'])?.context;
  const cluster = doc.clusters?.find((c) => c.name === ctx?.cluster)?.cluster ?? {};
  const user = doc.users?.find((u) => u.name === ctx?.user)?.user ?? {};
  const data = (v?: string) => (v ? Buffer.from(v, 'base64').toString() : undefined);
  return { ca: data(cluster['certificate-authority-data']), cert: data(user['client-certificate-data']), key: data(user['client-key-data']) };
}

export function clusterRequest(base: string, kubeconfigFile: string | undefined, method: string, path: string, body?: string): Promise<{ status: number; body: string }> {
  const url = new URL(path, base);
  const creds = kubeconfigFile ? kubeconfigCredentials(kubeconfigFile) : {};
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(url, { method, ...creds, headers: body ? { 'content-type': 'application/json' } : {}, timeout: 10000 }, (res) => {
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
