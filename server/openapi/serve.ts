// /openapi/v2 and /openapi/v3: built from the type registry on first use and again after it changes.
import { errors } from '../api/errors.js';
import type { Exchange } from '../http/exchange.js';
import type { TypeRegistry } from '../registry/registry.js';
import { buildOpenAPI, type OpenAPIDocs } from './build.js';

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

function acceptsJSON(accept: string | undefined): boolean {
  if (!accept) return true;
  return accept.split(',').some((a) => {
    const t = a.split(';')[0].trim().toLowerCase();
    return t === 'application/json' || t === '*/*' || t === 'application/*';
  });
}

export async function serveOpenAPI(ex: Exchange, types: TypeRegistry): Promise<boolean> {
  const path = ex.path.replace(/\/+$/, '');
  if (path !== '/openapi/v2' && !path.startsWith('/openapi/v3')) return false;
  if (!acceptsJSON(ex.headers.accept)) throw errors.notAcceptable(['application/json']);
  const d = docs(types);
  if (path === '/openapi/v2') {
    ex.send(200, d.v2, 'application/json');
    return true;
  }
  if (path === '/openapi/v3') {
    ex.send(200, d.v3Index, 'application/json');
    return true;
  }
  const doc = d.v3.get(path.slice('/openapi/v3/'.length));
  if (!doc) return false;
  const hashed = ex.query.get('hash');
  const headers: Record<string, string> = { ETag: `"${doc.hash}"` };
  // A request naming the current hash may be cached for good, as kube-apiserver allows.
  if (hashed === doc.hash) headers['Cache-Control'] = 'public, immutable';
  if (ex.headers['if-none-match'] === `"${doc.hash}"`) {
    ex.send(304, '', 'application/json', headers);
    return true;
  }
  ex.send(200, doc.body, 'application/json', headers);
  return true;
}
