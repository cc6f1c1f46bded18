// /openapi/v2, /openapi/v3 and /openapi/v3/<group-version>: built from the type registry on first
// use and again after it changes (CRDs), served with kube-apiserver's ETag and caching rules.
import { errors } from '../api/errors.js';
import type { Exchange } from '../http/exchange.js';
import type { TypeRegistry } from '../registry/registry.js';
import { buildOpenAPI, doc as openAPIDocument, type OpenAPIDocs, type OpenAPIDocument } from './build.js';
import { trimRight } from '../api/trim.js';

const cached = new WeakMap<TypeRegistry, OpenAPIDocs>();
const watched = new WeakSet<TypeRegistry>();

function docs(types: TypeRegistry): OpenAPIDocs {
  if (!watched.has(types)) {
    watched.add(types);
    types.onChange(() => cached.delete(types));
  }
  let d = cached.get(types);
  if (!d) {
    d = buildOpenAPI(types);
    cached.set(types, d);
  }
  return d;
}

/** JSON is what we serve; a client asking only for protobuf (or anything else) gets 406. */
function acceptsJSON(accept: string | undefined): boolean {
  if (!accept) return true;
  return accept.split(',').some((a) => {
    const t = a.split(';')[0].trim().toLowerCase();
    return t === 'application/json' || t === '*/*' || t === 'application/*' || t === '';
  });
}

function serve(ex: Exchange, d: OpenAPIDocument, extra: Record<string, string> = {}): void {
  const etag = `"${d.hash}"`;
  const headers = { ETag: etag, Vary: 'Accept', ...extra };
  const match = ex.headers['if-none-match'];
  if (match && match.split(',').some((m) => m.trim() === etag || m.trim() === '*')) {
    ex.send(304, '', 'application/json', headers);
    return;
  }
  ex.send(200, d.body, 'application/json', headers);
}

/** The OpenAPI v3 documents of extension servers (`apis/<group>/<version>` -> document), merged in as kube's aggregator does. */
export interface RemoteOpenAPI {
  openAPIV3(): Map<string, OpenAPIDocument>;
}

function v3Index(d: OpenAPIDocs, remote: Map<string, OpenAPIDocument>): OpenAPIDocument {
  if (!remote.size) return d.v3Index;
  const index: Record<string, { serverRelativeURL: string }> = {};
  for (const [p, doc] of [...d.v3, ...remote]) index[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${doc.hash}` };
  return openAPIDocument({ paths: index });
}

export async function serveOpenAPI(ex: Exchange, types: TypeRegistry, remote?: RemoteOpenAPI): Promise<boolean> {
  const path = trimRight(ex.path, '/');
  if (path !== '/openapi/v2' && path !== '/openapi/v3' && !path.startsWith('/openapi/v3/')) return false;
  if (ex.method !== 'GET' && ex.method !== 'HEAD') throw errors.methodNotAllowed();
  if (!acceptsJSON(ex.headers.accept)) throw errors.notAcceptable(['application/json']);
  const d = docs(types);
  if (path === '/openapi/v2') {
    serve(ex, d.v2);
    return true;
  }
  const remoteDocs = remote?.openAPIV3() ?? new Map<string, OpenAPIDocument>();
  if (path === '/openapi/v3') {
    serve(ex, v3Index(d, remoteDocs));
    return true;
  }
  const gv = path.slice('/openapi/v3/'.length);
  const doc = remoteDocs.get(gv) ?? d.v3.get(gv);
  if (!doc) return false;
  const hash = ex.query.get('hash');
  if (hash !== null && hash !== '') {
    // An outdated hash is sent on to the current one, as kube-openapi does.
    if (hash !== doc.hash) {
      ex.send(301, '', 'text/plain', { Location: `/openapi/v3/${gv}?hash=${doc.hash}` });
      return true;
    }
    // The hash names this exact content, so it may be cached for good.
    const expires = new Date(Date.now() + 365 * 24 * 3600 * 1000).toUTCString();
    serve(ex, doc, { 'Cache-Control': 'public, immutable', Expires: expires });
    return true;
  }
  serve(ex, doc);
  return true;
}
