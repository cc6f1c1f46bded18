// RequestInfo as kube-apiserver derives it from the path: verb, group, version, resource, namespace, name, subresource.

export interface RequestInfo {
  isResourceRequest: boolean;
  path: string;
  /** get, list, watch, create, update, patch, delete, deletecollection; for non-resource paths the lower-case method. */
  verb: string;
  apiPrefix: 'api' | 'apis' | '';
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  parts: string[];
}

const namespaceSubresources = new Set(['status', 'finalize']);

export function requestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const info: RequestInfo = {
    isResourceRequest: false, path, verb: method.toLowerCase(), apiPrefix: '', apiGroup: '', apiVersion: '',
    namespace: '', resource: '', subresource: '', name: '', parts: [],
  };
  let parts = path.split('/').filter((p) => p !== '');
  if (parts[0] !== 'api' && parts[0] !== 'apis') return info;
  info.apiPrefix = parts[0] as 'api' | 'apis';
  parts = parts.slice(1);
  if (info.apiPrefix === 'apis') {
    if (!parts.length) return info;
    info.apiGroup = parts[0];
    parts = parts.slice(1);
  }
  if (!parts.length) return info;
  info.apiVersion = parts[0];
  parts = parts.slice(1);
  if (!parts.length) return info;

  info.isResourceRequest = true;
  let watchPath = false;
  if (parts[0] === 'watch') {
    watchPath = true;
    parts = parts.slice(1);
  }
  if (parts[0] === 'namespaces') {
    if (parts.length > 1) {
      info.namespace = parts[1];
      if (parts.length > 2 && !namespaceSubresources.has(parts[2])) parts = parts.slice(2);
    }
  }
  info.parts = parts;
  if (parts.length >= 3) info.subresource = parts[2];
  if (parts.length >= 2) info.name = parts[1];
  if (parts.length >= 1) info.resource = parts[0];
  // /api/v1/namespaces/{name} and its subresources: the namespace is the object itself.
  if (info.resource === 'namespaces' && parts.length >= 2) info.namespace = '';

  switch (method) {
    case 'GET': case 'HEAD':
      info.verb = info.name ? 'get' : 'list';
      if (watchPath || (!info.name && isTrue(query.get('watch')))) info.verb = 'watch';
      if (watchPath && info.name) info.verb = 'watch';
      break;
    case 'POST': info.verb = 'create'; break;
    case 'PUT': info.verb = 'update'; break;
    case 'PATCH': info.verb = 'patch'; break;
    case 'DELETE': info.verb = info.name ? 'delete' : 'deletecollection'; break;
    default: info.verb = method.toLowerCase();
  }
  return info;
}

function isTrue(v: string | null): boolean {
  // kube's bool query parameters: only "0" and "false" (any case) are false.
  return v !== null && v !== '0' && v.toLowerCase() !== 'false';
}
