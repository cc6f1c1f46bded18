// Service-account issuer discovery (kube's serviceaccount.openidConfig and the JWKS): served when the
// first --service-account-issuer is an https URL, so relying parties can verify our tokens.
import type { KeyObject } from 'node:crypto';
import { algorithmFor, keyID } from '../jwt.js';

export const openIDConfigurationPath = '/.well-known/openid-configuration';
export const jwksPath = '/openid/v1/jwks';

export interface IssuerDiscovery {
  openIDConfiguration: string;
  jwks: string;
}

/**
 * The two documents, or undefined when discovery is off (issuer not an https URL). `jwksURI`: where
 * the keys are served (kube: --service-account-jwks-uri, else the server's external address).
 */
export function issuerDiscovery(issuer: string | undefined, keys: KeyObject[], jwksURI: string): IssuerDiscovery | undefined {
  if (!issuer) return undefined;
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:') return undefined;
  const algs = [...new Set(keys.map(algorithmFor))].sort();
  const config = {
    issuer,
    jwks_uri: jwksURI,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: algs,
  };
  const seen = new Set<string>();
  const jwks = [];
  for (const k of keys) {
    const kid = keyID(k);
    if (seen.has(kid)) continue;
    seen.add(kid);
    const jwk = k.export({ format: 'jwk' }) as Record<string, string>;
    // go-jose's field order.
    jwks.push({ use: 'sig', kty: jwk.kty, kid, crv: jwk.crv, alg: algorithmFor(k), x: jwk.x, y: jwk.y, n: jwk.n, e: jwk.e });
  }
  return { openIDConfiguration: JSON.stringify(config), jwks: JSON.stringify({ keys: jwks }) };
}
