// Serves discovery: `/` (the path list), /api and /apis (legacy or aggregated, as Accept asks),
// /api/v1, /apis/<group> and /apis/<group>/<version>; false when the path is none of them.
import { errors } from '../api/errors.js';
import type { Exchange } from '../http/exchange.js';
import type { TypeRegistry } from '../registry/registry.js';
import { aggregatedDiscovery, apiGroup, apiGroupList, apiResourceList, apiVersions, etag, mergedGroups, type RemoteDiscovery, wantsAggregated } from './discovery.js';
import { serverVersion } from './version.js';
import { trimRight } from '../api/trim.js';

export function serveDiscovery(ex: Exchange, types: TypeRegistry, remote?: RemoteDiscovery): boolean {
  if (ex.path === '/version' || ex.path === '/version/') {
    ex.sendJSON(200, serverVersion);
    return true;
  }
  const clean = trimRight(ex.path, '/') || '/';
  if (clean !== '/' && clean !== '/api' && clean !== '/apis' && !clean.startsWith('/api/') && !clean.startsWith('/apis/')) return false;
  if (ex.method !== 'GET' && ex.method !== 'HEAD') throw errors.notFoundPath();
  const parts = clean.split('/').filter(Boolean);
  if (clean === '/') {
    ex.sendJSON(200, { paths: rootPaths(types, remote) });
    return true;
  }
  if (clean === '/api' || clean === '/apis') {
    const aggregated = wantsAggregated(ex.headers.accept);
    if (aggregated) {
      const body = JSON.stringify(aggregatedDiscovery(types, clean === '/api', aggregated.includes('v2beta1') ? 'apidiscovery.k8s.io/v2beta1' : 'apidiscovery.k8s.io/v2', remote));
      const tag = etag(body);
      if (ex.headers['if-none-match'] === tag) ex.send(304, '', aggregated, { ETag: tag });
      else ex.send(200, body, aggregated, { ETag: tag, Vary: 'Accept' });
      return true;
    }
    ex.sendJSON(200, clean === '/api' ? apiVersions() : apiGroupList(types, remote), { Vary: 'Accept' });
    return true;
  }
  let doc: unknown;
  if (parts[0] === 'api' && parts.length === 2) doc = apiResourceList(types, '', parts[1]);
  else if (parts[0] === 'apis' && parts.length === 2) doc = apiGroup(types, parts[1], remote);
  else if (parts[0] === 'apis' && parts.length === 3) doc = apiResourceList(types, parts[1], parts[2]);
  if (!doc) throw errors.notFoundPath();
  ex.sendJSON(200, doc);
  return true;
}

function rootPaths(types: TypeRegistry, remote?: RemoteDiscovery): string[] {
  const paths = ['/api', '/api/v1', '/apis', '/healthz', '/livez', '/readyz', '/openapi/v2', '/openapi/v3', '/version'];
  for (const g of mergedGroups(types, remote)) {
    paths.push(`/apis/${g.name}`);
    for (const v of g.versions) paths.push(`/apis/${g.name}/${v.version}`);
  }
  return paths.sort();
}
