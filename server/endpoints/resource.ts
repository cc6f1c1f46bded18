// Routes a resource request to the handler for its verb.
import { ApiError, errors } from '../api/errors.js';
import type { Exchange } from '../http/exchange.js';
import type { RequestInfo } from '../http/request-info.js';
import type { TypeRegistry } from '../registry/registry.js';
import type { GenericStore } from '../registry/store.js';
import type { Security } from '../security.js';
import { servedSubresource } from '../registry/subresources/served.js';
import { create } from './handlers/create.js';
import { del, deleteCollection } from './handlers/delete.js';
import { get } from './handlers/get.js';
import { list } from './handlers/list.js';
import { patch } from './handlers/patch.js';
import { update } from './handlers/update.js';
import { watch } from './handlers/watch.js';
import { customHandlers, type VerbHandler } from './subresources.js';

export type { VerbHandler } from './subresources.js';

const verbs: Record<string, VerbHandler> = { get, list, watch, create, update, patch, delete: del, deletecollection: deleteCollection };

export async function serveResource(ex: Exchange, info: RequestInfo, types: TypeRegistry, store: GenericStore, security?: Security): Promise<void> {
  // kube's director hands a path not starting with a group's root ("//api/...") to the plain mux.
  if (info.path.startsWith('//')) return ex.send(404, '404 page not found\n', 'text/plain; charset=utf-8');
  const rt = types.lookup(info.apiGroup, info.apiVersion, info.resource);
  const custom = rt && customHandlers(rt, info.subresource);
  if (!rt || (rt.virtual && !custom)) throw errors.notFoundPath();
  const sub = info.subresource ? servedSubresource(rt, info.subresource) : undefined;
  if (info.subresource && !sub) throw errors.notFoundPath();
  if (!rt.namespaced && info.namespace) throw errors.notFoundPath();
  // The all-namespaces path of a namespaced resource is a collection only: no object route under it.
  if (rt.namespaced && !info.namespace && info.name) throw errors.notFoundPath();
  if (!routeServes(ex.method, info, rt.namespaced)) throw errors.methodNotAllowed();
  // POST names no object: a name in the path is the wrong method, as kube-apiserver answers (a subresource's create takes it).
  if (info.verb === 'create' && info.name && !sub) throw errors.methodNotAllowed();
  if (!sub && !rt.verbs.includes(info.verb)) {
    // kube's watch handler names the resource that cannot be watched (componentstatuses).
    if (info.verb === 'watch') throw new ApiError(405, 'MethodNotAllowed', `watch is not supported on resources of kind ${JSON.stringify(rt.resource)}`, { kind: rt.resource });
    throw errors.methodNotAllowed();
  }
  const handler = custom ? custom[info.verb] : verbs[info.verb];
  if (!handler || (sub && !sub.verbs.includes(info.verb))) throw errors.methodNotAllowed();
  if (rt.deprecationWarning) ex.warnings.push(rt.deprecationWarning);
  await handler({ ex, info, rt, store, types, security });
}

/**
 * The verbs kube-apiserver installs a route for on this path: an object takes get, watch, update,
 * patch and delete (and create for a subresource); a collection list, watch, create and
 * deletecollection, but across all namespaces only list and watch; no route takes HEAD.
 */
function routeServes(method: string, info: RequestInfo, namespaced: boolean): boolean {
  if (method === 'HEAD') return false;
  if (info.name) return info.verb !== 'list' && info.verb !== 'deletecollection';
  if (namespaced && !info.namespace) return info.verb === 'list' || info.verb === 'watch';
  return info.verb !== 'update' && info.verb !== 'patch' && info.verb !== 'get' && info.verb !== 'delete';
}
