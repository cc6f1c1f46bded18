// Service accounts' part of the security: the two token authenticators, the TokenRequest issuer and
// issuer discovery, built from the --service-account-* flags.
import type { KeyObject } from 'node:crypto';
import type { KubeObject } from '../../api/object.js';
import type { ServerConfig } from '../../config.js';
import type { SecurityDeps } from '../../security.js';
import type { TokenAuthenticator } from '../authenticator.js';
import { ServiceAccountTokenAuthenticator } from './authenticator.js';
import { legacyIssuer, type ObjectGetter } from './claims.js';
import { type IssuerDiscovery, issuerDiscovery } from './discovery.js';
import { TokenIssuer } from './issuer.js';
import { privateKeyFromFile, publicKeysFromFile } from './keys.js';

export interface ServiceAccountTokens {
  authenticators: TokenAuthenticator[];
  /** Present with --service-account-signing-key-file and an issuer: TokenRequest is served. */
  issuer?: TokenIssuer;
  discovery?: IssuerDiscovery;
  apiAudiences: string[];
  /** --service-account-max-token-expiration in seconds; 0 = no cap. */
  maxExpirationSeconds: number;
  getter: ObjectGetter;
}

export function serviceAccountTokens(config: ServerConfig, deps: SecurityDeps): ServiceAccountTokens {
  const sec = config.security;
  const getter = cachedGetter(deps);
  const signingKey: KeyObject | undefined = sec.serviceAccountSigningKeyFile ? privateKeyFromFile(sec.serviceAccountSigningKeyFile) : undefined;
  // With no --service-account-key-file, the signing key's public half verifies (kube-apiserver's completion).
  const keys = sec.serviceAccountKeyFiles.length ? sec.serviceAccountKeyFiles.flatMap(publicKeysFromFile) : signingKey ? publicKeysFromFile(sec.serviceAccountSigningKeyFile!) : [];
  const authenticators: TokenAuthenticator[] = [];
  const common = { keys, implicitAudiences: sec.apiAudiences, getter, lookup: sec.serviceAccountLookup };
  if (keys.length) authenticators.push(new ServiceAccountTokenAuthenticator({ ...common, kind: 'legacy', issuers: [legacyIssuer] }));
  if (keys.length && sec.serviceAccountIssuers.length) {
    authenticators.push(new ServiceAccountTokenAuthenticator({ ...common, kind: 'bound', issuers: sec.serviceAccountIssuers }));
  }
  const issuer = signingKey && sec.serviceAccountIssuers.length ? new TokenIssuer(sec.serviceAccountIssuers[0], signingKey) : undefined;
  return {
    authenticators,
    issuer,
    // kube's jwks_uri defaults to the server's external address (host:port) with /openid/v1/jwks.
    discovery: issuer ? issuerDiscovery(sec.serviceAccountIssuers[0], keys, `https://${hostPort(config.bindAddress, config.securePort)}/openid/v1/jwks`) : undefined,
    apiAudiences: sec.apiAudiences,
    maxExpirationSeconds: sec.serviceAccountMaxTokenExpirationSeconds,
    getter,
  };
}

/** Reads through the watch cache (resourceVersion 0, as kube's informer listers), then etcd for a miss. */
function cachedGetter(deps: SecurityDeps): ObjectGetter {
  const read = async (resource: string, namespace: string, name: string): Promise<KubeObject | undefined> => {
    const rt = deps.types.lookup('', 'v1', resource);
    if (!rt) return undefined;
    for (const rv of ['0', undefined]) {
      try {
        return await deps.store.get(rt, namespace, name, rv);
      } catch (e) {
        if ((e as { code?: number }).code !== 404) throw e;
      }
    }
    return undefined;
  };
  return {
    serviceAccount: (ns, name) => read('serviceaccounts', ns, name),
    secret: (ns, name) => read('secrets', ns, name),
    pod: (ns, name) => read('pods', ns, name),
    node: (name) => read('nodes', '', name),
  };
}

function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
