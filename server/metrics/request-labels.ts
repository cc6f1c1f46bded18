// The labels of kube's request metrics (k8s.io/apiserver endpoints/metrics: MonitorRequest,
// CleanScope, CanonicalVerb, CleanVerb, cleanDryRun) for one request. Pure, so the unit test can
// hold it to kube's answers.
import { wantsAggregated } from '../discovery/discovery.js';
import type { RequestInfo } from '../http/request-info.js';

export interface RequestLabels {
  verb: string;
  dry_run: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  scope: string;
  component: string;
}

/** What the labels are computed from: the request as it came (method, query, headers). */
export interface InstrumentedRequest {
  method: string;
  query: URLSearchParams;
  headers: Record<string, string>;
}

// kube's validConnectRequests: these subresources report CONNECT.
const connectSubresources = new Set(['log', 'exec', 'portforward', 'attach', 'proxy']);
// Every subresource kube serves for the built-in kinds: an unknown one is a 404 with no route in kube,
// so it is not instrumented (and a URL cannot grow the label set).
const servedSubresources = new Set([...connectSubresources, 'status', 'scale', 'binding', 'eviction', 'finalize', 'approval',
  'token', 'ephemeralcontainers', 'resize']);
// kube's validRequestMethods; anything else is reported as "other".
const validVerbs = new Set(['APPLY', 'CONNECT', 'CREATE', 'DELETE', 'DELETECOLLECTION', 'GET', 'LIST', 'PATCH', 'POST', 'PROXY', 'PUT',
  'UPDATE', 'WATCH', 'WATCHLIST']);
// kube instruments the root health handlers (component ""), not their per-check paths.
const healthPaths = new Set(['/healthz', '/livez', '/readyz']);

/**
 * The labels kube gives this request, or undefined when kube would not instrument it: a resource
 * request only for a served type (`served`), the health roots, and aggregated discovery; no other
 * non-resource path (/metrics, /version, /openapi, legacy discovery).
 */
export function requestLabels(req: InstrumentedRequest, info: RequestInfo, served: (info: RequestInfo) => boolean): RequestLabels | undefined {
  const method = req.method.toUpperCase();
  if (!info.isResourceRequest) {
    if (healthPaths.has(info.path)) return nonResource(method, info.path, '');
    if ((info.path === '/api' || info.path === '/apis') && method === 'GET' && wantsAggregated(req.headers.accept)) return nonResource(method, info.path, 'apiserver');
    return undefined;
  }
  if (info.subresource && !servedSubresources.has(info.subresource)) return undefined;
  if (!served(info)) return undefined;
  const scope = cleanScope(info);
  return {
    verb: reportedVerb(method, scope, req, info), dry_run: cleanDryRun(req.query), group: info.apiGroup, version: info.apiVersion,
    resource: info.resource, subresource: info.subresource, scope, component: 'apiserver',
  };
}

function nonResource(method: string, path: string, component: string): RequestLabels {
  return { verb: method === 'HEAD' ? 'GET' : validVerbs.has(method) ? method : 'other', dry_run: '', group: '', version: '', resource: '', subresource: path, scope: '', component };
}

/** kube's CleanScope. */
export function cleanScope(info: RequestInfo): string {
  if (info.name || info.verb === 'create') return 'resource';
  if (info.namespace) return 'namespace';
  if (info.isResourceRequest) return 'cluster';
  return '';
}

/** kube's CanonicalVerb then cleanVerb: GET vs LIST by scope, WATCH, APPLY for apply patches, CONNECT; unknown methods are "other". */
function reportedVerb(method: string, scope: string, req: InstrumentedRequest, info: RequestInfo): string {
  let verb = method;
  if (method === 'GET' || method === 'HEAD') verb = scope !== 'resource' && scope !== '' ? 'LIST' : 'GET';
  if (info.verb === 'watch') verb = 'WATCH';
  if (method === 'PATCH' && (req.headers['content-type'] ?? '').split(';')[0].trim() === 'application/apply-patch+yaml') verb = 'APPLY';
  if (connectSubresources.has(info.subresource)) verb = 'CONNECT';
  return validVerbs.has(verb) ? verb : 'other';
}

/** kube's cleanDryRun: "" without dryRun, "invalid" for a value but All, else the values sorted and de-duplicated. */
export function cleanDryRun(query: URLSearchParams): string {
  const values = query.getAll('dryRun');
  if (!values.length) return '';
  if (values.some((v) => v !== 'All')) return 'invalid';
  return [...new Set(values)].sort().join(',');
}

/** kube records response sizes for reads only (the route's verb GET or LIST; health and discovery are GETs). */
export function recordsResponseSize(info: RequestInfo): boolean {
  return info.isResourceRequest ? info.verb === 'get' || info.verb === 'list' : true;
}
