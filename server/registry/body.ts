// A request body checked against the URL (kind, apiVersion, name, namespace) and made ready for
// the strategy. Mismatches are 400 BadRequest, as in kube-apiserver.
import { errors } from '../api/errors.js';
import { apiVersionOf, clone, type KubeObject } from '../api/object.js';
import { zeroNulls } from '../schema/nulls.js';
import type { ResourceType } from './types.js';

/** Returns a copy of the body ready for the strategy. */
export function admitBody(rt: ResourceType, namespace: string, body: KubeObject, urlName: string | undefined): KubeObject {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw errors.badRequest(`Object '${rt.kind}' is missing in 'null'`);
  }
  const expected = apiVersionOf(rt.group, rt.version);
  if (body.apiVersion !== undefined && body.apiVersion !== expected) {
    throw errors.badRequest(`the API version in the data (${body.apiVersion}) does not match the expected API version (${expected})`);
  }
  if (body.kind !== undefined && body.kind !== rt.kind) {
    throw errors.badRequest(`the kind in the data (${body.kind}) does not match the expected kind (${rt.kind})`);
  }
  // A JSON null is the zero value to kube-apiserver's typed decoding: the field is simply absent.
  const obj = clone(body);
  zeroNulls(rt.definition, obj);
  if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
  if (typeof obj.metadata !== 'object' || Array.isArray(obj.metadata)) {
    throw errors.badRequest(`${rt.kind} in version "${rt.version}" cannot be handled as a ${rt.kind}: json: cannot unmarshal ${typeof obj.metadata} into Go struct field ${rt.kind}.metadata of type v1.ObjectMeta`);
  }
  obj.apiVersion = expected;
  obj.kind = rt.kind;
  if (rt.namespaced) {
    if (obj.metadata.namespace && namespace && obj.metadata.namespace !== namespace) {
      throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    if (namespace) obj.metadata.namespace = namespace;
  } else {
    delete obj.metadata.namespace;
  }
  if (urlName !== undefined) {
    // kube's checkName: an update body must name its object.
    if (!obj.metadata.name) throw errors.badRequest(`the name of the object (${urlName} based on URL) was undeterminable: name must be provided`);
    if (obj.metadata.name && obj.metadata.name !== urlName) {
      throw errors.badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${urlName})`);
    }
    obj.metadata.name = urlName;
  }
  return obj;
}
