// Reading a kubeconfig: the current context's (or the first) cluster and user, with the
// certificate and token files resolved relative to the kubeconfig, as client-go reads it. The
// audit webhook, the launcher's own requests, `npm run pki -- revoke` and the benchmark's
// external target all take their server and credentials from here.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';

export interface KubeconfigEntry {
  /** The cluster's server URL, when the kubeconfig names one. */
  server?: string;
  /** certificate-authority(-data), client-certificate(-data), client-key(-data): PEM bytes. */
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecureSkipTLSVerify: boolean;
  tlsServerName?: string;
  /** token, or the contents of tokenFile. */
  token?: string;
  username?: string;
  password?: string;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
export function readKubeconfig(file: string): KubeconfigEntry {
  const doc = parse(readFileSync(file, 'utf8')) as Record<string, any> | null;
  const named = (list: unknown, name: string | undefined) => {
    const items = Array.isArray(list) ? list : [];
    return (items.find((i) => i?.name === name) ?? items[0]) as Record<string, any> | undefined;
  };
  const context = named(doc?.contexts, doc?.['current-context'])?.context as Record<string, any> | undefined;
  const cluster = (named(doc?.clusters, context?.cluster)?.cluster ?? {}) as Record<string, any>;
  const user = (named(doc?.users, context?.user)?.user ?? {}) as Record<string, any>;
  const dir = path.dirname(file);
  const bytes = (data: unknown, f: unknown) => (typeof data === 'string' ? Buffer.from(data, 'base64') : typeof f === 'string' ? readFileSync(path.resolve(dir, f)) : undefined);
  const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
  return {
    server: text(cluster.server),
    ca: bytes(cluster['certificate-authority-data'], cluster['certificate-authority']),
    cert: bytes(user['client-certificate-data'], user['client-certificate']),
    key: bytes(user['client-key-data'], user['client-key']),
    insecureSkipTLSVerify: cluster['insecure-skip-tls-verify'] === true,
    tlsServerName: text(cluster['tls-server-name']),
    token: typeof user.tokenFile === 'string' ? readFileSync(path.resolve(dir, user.tokenFile), 'utf8').trim() : text(user.token),
    username: text(user.username),
    password: text(user.password),
  };
}
