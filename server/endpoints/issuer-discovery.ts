// GET /.well-known/openid-configuration and /openid/v1/jwks: service-account issuer discovery, with
// kube's content types and one hour of caching (its serviceaccount.openidmetadata routes).
import type { IssuerDiscovery } from '../authentication/serviceaccount/discovery.js';
import { jwksPath, openIDConfigurationPath } from '../authentication/serviceaccount/discovery.js';
import type { Exchange } from '../http/exchange.js';

const cacheControl = { 'Cache-Control': 'public, max-age=3600' };

/** True when it answered the request. */
export function serveIssuerDiscovery(ex: Exchange, discovery: IssuerDiscovery | undefined): boolean {
  if (!discovery || ex.method !== 'GET') return false;
  if (ex.path === openIDConfigurationPath) ex.send(200, discovery.openIDConfiguration, 'application/json', cacheControl);
  else if (ex.path === jwksPath) ex.send(200, discovery.jwks, 'application/jwk-set+json', cacheControl);
  else return false;
  return true;
}
