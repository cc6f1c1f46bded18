// Routes a resource request to the handler for its verb.
import { errors } from '../api/errors.js';
import type { Exchange } from '../http/exchange.js';
import type { RequestInfo } from '../http/request-info.js';
import type { TypeRegistry } from '../registry/registry.js';
import type { GenericStore } from '../registry/store.js';
import type { HandlerContext } from './handlers/context.js';
import { create } from './handlers/create.js';
import { del, deleteCollection } from './handlers/delete.js';
import { get } from './handlers/get.js';
import { list } from './handlers/list.js';
import { patch } from './handlers/patch.js';
import { getScale, patchScale, updateScale } from './handlers/scale.js';
import { update } from './handlers/update.js';
import { watch } from './handlers/watch.js';

export type VerbHandler = (ctx: HandlerContext) => Promise<void>;

/** Handlers other modules add (patch, watch, subresources) without this file knowing them. */
export const extraVerbs: Record<string, VerbHandler> = { 'get/scale': getScale, 'update/scale': updateScale, 'patch/scale': patchScale };

const verbs: Record<string, VerbHandler> = { get, list, watch, create, update, patch, delete: del, deletecollection: deleteCollection };

export async function serveResource(ex: Exchange, info: RequestInfo, types: TypeRegistry, store: GenericStore): Promise<void> {
  // kube's director hands a path not starting with a group's root ("//api/...") to the plain mux.
  if (info.path.startsWith('//')) return ex.send(404, '404 page not found\n', 'text/plain; charset=utf-8');
  const rt = types.lookup(info.apiGroup, info.apiVersion, info.resource);
  if (!rt || rt.virtual) throw errors.notFoundPath();
  if (info.subresource && !isServedSubresource(rt, info.subresource)) throw errors.notFoundPath();
  if (!rt.namespaced && info.namespace) throw errors.notFoundPath();
  // The all-namespaces path of a namespaced resource is a collection only: no object route under it.
  if (rt.namespaced && !info.namespace && info.name) throw errors.notFoundPath();
  if (!routeServes(ex.method, info, rt.namespaced)) throw errors.methodNotAllowed();
  // POST names no object: a name in the path is the wrong method, as kube-apiserver answers.
  if (info.verb === 'create' && info.name && !extraVerbs[`create/${info.subresource}`]) throw errors.methodNotAllowed();
  const handler = (info.subresource && extraVerbs[`${info.verb}/${info.subresource}`]) || extraVerbs[info.verb] || verbs[info.verb];
  if (!handler || (info.subresource && !subresourceVerbAllowed(info.subresource, info.verb))) throw errors.methodNotAllowed();
  if (!rt.verbs.includes(info.verb === 'deletecollection' ? 'deletecollection' : info.verb)) throw errors.methodNotAllowed();
  if (rt.deprecationWarning) ex.warnings.push(rt.deprecationWarning);
  await handler({ ex, info, rt, store, types });
}

/**
 * The verbs kube-apiserver installs a route for on this path: an object takes get, watch, update,
 * patch and delete; a collection list, watch, create and deletecollection, but across all
 * namespaces only list and watch; no route takes HEAD.
 */
function routeServes(method: string, info: RequestInfo, namespaced: boolean): boolean {
  if (method === 'HEAD') return false;
  if (info.name) return info.verb !== 'list' && info.verb !== 'deletecollection';
  if (namespaced && !info.namespace) return info.verb === 'list' || info.verb === 'watch';
  return info.verb !== 'update' && info.verb !== 'patch' && info.verb !== 'get' && info.verb !== 'delete';
}

function isServedSubresource(rt: { subresources?: { status?: boolean; scale?: unknown } }, sub: string): boolean {
  if (sub === 'status') return Boolean(rt.subresources?.status);
  if (sub === 'scale') return Boolean(rt.subresources?.scale);
  return false;
}

function subresourceVerbAllowed(sub: string, verb: string): boolean {
  return sub === 'status' || sub === 'scale' ? ['get', 'update', 'patch'].includes(verb) : false;
}
