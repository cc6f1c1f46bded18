// Request info (kube's WithRequestInfo): verb, group, version, resource, namespace, name and
// subresource, resolved once from the path so every later stage reads the same answer.
import { requestInfo as resolveRequestInfo } from '../http/request-info.js';
import type { Filter } from './chain.js';

export const requestInfo: Filter = {
  name: 'request-info',
  async filter(ex, next) {
    ex.requestInfo = resolveRequestInfo(ex.method, ex.path, ex.query);
    await next();
  },
};
