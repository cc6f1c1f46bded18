// Authorization (kube's WithAuthorization): may this user do this verb on this resource or path.
// The authorizer decides from memory; anything but allow is 403 with kube-apiserver's message.
import { errors } from '../api/errors.js';
import type { Attributes, Authorizer, Decision } from '../authorization/authorizer.js';
import type { Exchange } from '../http/exchange.js';
import type { Filter } from './chain.js';

/** Where the filter reports each decision (kube's recordAuthorizationMetrics). */
export type AuthorizationObserver = (decision: Decision['decision'], seconds: number) => void;

export function authorization(authorizer: Authorizer, observe?: AuthorizationObserver): Filter {
  return {
    name: 'authorization',
    async filter(ex, next) {
      const attrs = requestAttributes(ex);
      const start = observe && performance.now();
      const d = authorizer.authorize(attrs);
      if (observe) observe(d.decision, (performance.now() - start!) / 1000);
      // kube's audit annotations for the decision.
      ex.audit?.annotate('authorization.k8s.io/decision', d.decision === 'allow' ? 'allow' : 'forbid');
      ex.audit?.annotate('authorization.k8s.io/reason', d.reason);
      if (d.decision === 'allow') return next();
      throw forbidden(attrs, d.reason);
    },
  };
}

/** The attributes of the request as the filters left it (the impersonated user, when impersonating). */
export function requestAttributes(ex: Exchange): Attributes {
  const info = ex.requestInfo!;
  return {
    user: ex.user!, verb: info.verb, isResourceRequest: info.isResourceRequest, path: info.path, namespace: info.namespace,
    apiGroup: info.apiGroup, apiVersion: info.apiVersion, resource: info.resource, subresource: info.subresource, name: info.name,
  };
}

/** kube's responsewriters.Forbidden: who cannot do what, where. */
export function forbidden(a: Attributes, reason: string): Error {
  let what: string;
  if (!a.isResourceRequest) what = `User ${JSON.stringify(a.user.name)} cannot ${a.verb} path ${JSON.stringify(a.path)}`;
  else {
    const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    const where = a.namespace ? `in the namespace ${JSON.stringify(a.namespace)}` : 'at the cluster scope';
    what = `User ${JSON.stringify(a.user.name)} cannot ${a.verb} resource ${JSON.stringify(resource)} in API group ${JSON.stringify(a.apiGroup)} ${where}`;
  }
  const why = reason ? `${what}: ${reason}` : what;
  return errors.forbiddenResource(a.apiGroup, a.isResourceRequest ? a.resource : '', a.name, why);
}
