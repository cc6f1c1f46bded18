// kube's cluster_authentication_trust_controller: kube-system/extension-apiserver-authentication tells
// extension API servers which client CA and which front proxy (requestheader CA, allowed names, header
// names) to trust. What is stored is combined with this server's own, as kube combines it, so instances
// with different flags (an upgrade) add up instead of overwriting each other; expired CAs drop out.
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { ApiError } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import type { SecurityConfig } from '../config.js';
import type { GenericStore, WriteOptions } from '../registry/store.js';
import type { ResourceType } from '../registry/types.js';

export const authenticationConfigMapNamespace = 'kube-system';
export const authenticationConfigMapName = 'extension-apiserver-authentication';
/** kube polls once a minute besides reacting to changes. */
const resyncMs = 60_000;

export interface ClusterAuthenticationInfo {
  clientCA?: string;
  requestHeaderCA?: string;
  requestHeaderAllowedNames: string[];
  requestHeaderUsernameHeaders: string[];
  requestHeaderGroupHeaders: string[];
  requestHeaderExtraHeaderPrefixes: string[];
  requestHeaderUIDHeaders: string[];
}

export function authenticationInfoFromConfig(sec: SecurityConfig): ClusterAuthenticationInfo {
  return {
    clientCA: sec.clientCAFile ? readFileSync(sec.clientCAFile, 'utf8') : undefined,
    requestHeaderCA: sec.requestheaderClientCAFile ? readFileSync(sec.requestheaderClientCAFile, 'utf8') : undefined,
    requestHeaderAllowedNames: sec.requestheaderAllowedNames,
    requestHeaderUsernameHeaders: sec.requestheaderUsernameHeaders,
    requestHeaderGroupHeaders: sec.requestheaderGroupHeaders,
    requestHeaderExtraHeaderPrefixes: sec.requestheaderExtraHeadersPrefix,
    requestHeaderUIDHeaders: sec.requestheaderUIDHeaders,
  };
}

const pemBegin = '-----BEGIN CERTIFICATE-----';
const pemEnd = '-----END CERTIFICATE-----';

/** Each certificate block of a bundle, in one forward scan (a lazy RegExp rescanned to the end per BEGIN). */
function pemBlocks(bundle: string): string[] {
  const blocks: string[] = [];
  for (let at = bundle.indexOf(pemBegin); at >= 0;) {
    const end = bundle.indexOf(pemEnd, at + pemBegin.length);
    if (end < 0) break;
    blocks.push(bundle.slice(at, end + pemEnd.length));
    at = bundle.indexOf(pemBegin, end + pemEnd.length);
  }
  return blocks;
}

/** Go's pem.Encode of a certificate: 64 columns of base64. */
function encodePEM(raw: Buffer): string {
  const b64 = raw.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${b64}\n-----END CERTIFICATE-----\n`;
}

/** kube's combineCertLists: both bundles, unexpired (with five minutes' grace), each certificate once. */
export function combineCABundles(lhs: string | undefined, rhs: string | undefined, now = Date.now()): string | undefined {
  const seen = new Set<string>();
  let out = '';
  for (const pem of [...pemBlocks(lhs ?? ''), ...pemBlocks(rhs ?? '')]) {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem);
    } catch {
      continue;
    }
    if (Date.parse(cert.validTo) <= now - 5 * 60_000) continue;
    const key = cert.raw.toString('base64');
    if (seen.has(key)) continue;
    seen.add(key);
    out += encodePEM(cert.raw);
  }
  return out || undefined;
}

const unique = (a: string[], b: string[]): string[] => [...new Set([...a, ...b])];

function parseList(v: string | undefined): string[] {
  if (!v) return [];
  const parsed = JSON.parse(v) as unknown;
  return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : [];
}

export function authenticationInfoFromData(data: Record<string, string>): ClusterAuthenticationInfo {
  return {
    clientCA: data['client-ca-file'], requestHeaderCA: data['requestheader-client-ca-file'],
    requestHeaderAllowedNames: parseList(data['requestheader-allowed-names']),
    requestHeaderUsernameHeaders: parseList(data['requestheader-username-headers']),
    requestHeaderGroupHeaders: parseList(data['requestheader-group-headers']),
    requestHeaderExtraHeaderPrefixes: parseList(data['requestheader-extra-headers-prefix']),
    requestHeaderUIDHeaders: parseList(data['requestheader-uid-headers']),
  };
}

/** kube's getConfigMapDataFor over the combination of the stored info and ours; lists are JSON arrays. */
export function authenticationConfigMapData(stored: ClusterAuthenticationInfo, ours: ClusterAuthenticationInfo, now = Date.now()): Record<string, string> {
  const data: Record<string, string> = {};
  const clientCA = combineCABundles(stored.clientCA, ours.clientCA, now);
  if (clientCA) data['client-ca-file'] = clientCA;
  const requestHeaderCA = combineCABundles(stored.requestHeaderCA, ours.requestHeaderCA, now);
  if (!requestHeaderCA) return data;
  data['requestheader-username-headers'] = JSON.stringify(unique(stored.requestHeaderUsernameHeaders, ours.requestHeaderUsernameHeaders));
  const uidHeaders = unique(stored.requestHeaderUIDHeaders, ours.requestHeaderUIDHeaders);
  if (uidHeaders.length) data['requestheader-uid-headers'] = JSON.stringify(uidHeaders);
  data['requestheader-group-headers'] = JSON.stringify(unique(stored.requestHeaderGroupHeaders, ours.requestHeaderGroupHeaders));
  data['requestheader-extra-headers-prefix'] = JSON.stringify(unique(stored.requestHeaderExtraHeaderPrefixes, ours.requestHeaderExtraHeaderPrefixes));
  data['requestheader-client-ca-file'] = requestHeaderCA;
  data['requestheader-allowed-names'] = JSON.stringify(unique(stored.requestHeaderAllowedNames, ours.requestHeaderAllowedNames));
  return data;
}

const sameData = (a: Record<string, string> | undefined, b: Record<string, string>): boolean => {
  const ka = Object.keys(a ?? {});
  return ka.length === Object.keys(b).length && ka.every((k) => a![k] === b[k]);
};

export class ClusterAuthenticationTrust {
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly store: GenericStore, private readonly configmaps: ResourceType, private readonly ours: ClusterAuthenticationInfo) {}

  /** Syncs now and every minute; called again after a failed start, it only syncs. */
  async start(): Promise<void> {
    if (!this.timer) {
      this.timer = setInterval(() => void this.sync().catch(() => undefined), resyncMs);
      this.timer.unref();
    }
    await this.sync();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /** One pass of kube's syncConfigMap; a conflict with another instance's write is tried again at once. */
  async sync(): Promise<void> {
    for (let attempt = 0; attempt < 5 && !this.stopped; attempt++) {
      let cur: KubeObject | undefined;
      try {
        cur = await this.store.get(this.configmaps, authenticationConfigMapNamespace, authenticationConfigMapName);
      } catch (e) {
        if (!(e instanceof ApiError && e.reason === 'NotFound')) throw e;
      }
      const stored = authenticationInfoFromData((cur?.data ?? {}) as Record<string, string>);
      const data = authenticationConfigMapData(stored, this.ours);
      if (cur && sameData(cur.data as Record<string, string> | undefined, data)) return;
      const opts: WriteOptions = { dryRun: false, fieldValidation: 'Ignore', warnings: [], fieldManager: 'kube-apiserver' };
      try {
        if (cur) await this.store.update(this.configmaps, authenticationConfigMapNamespace, authenticationConfigMapName, { ...cur, data }, opts);
        else {
          await this.store.create(this.configmaps, authenticationConfigMapNamespace, {
            apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: authenticationConfigMapName, namespace: authenticationConfigMapNamespace }, data,
          }, opts);
        }
        return;
      } catch (e) {
        if (!(e instanceof ApiError && (e.reason === 'Conflict' || e.reason === 'AlreadyExists' || e.reason === 'NotFound'))) throw e;
      }
    }
  }
}
