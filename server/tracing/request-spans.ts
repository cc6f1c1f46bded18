// Where the instance's request spans come from: the request's own span around the whole handler
// chain (kube's "KubernetesAPI" span, its parent the traceparent the LB or client sent), and a child
// for the filters worth seeing (authentication, authorization) and for admission.
import type { AdmissionAttributes, AdmissionChain } from '../admission/chain.js';
import type { Filter, Handler } from '../filters/chain.js';
import type { Tracer } from './tracing.js';

/** The filters whose own work gets a span (the work of the filters after them does not count in it). */
const tracedFilters = new Set(['authentication', 'authorization', 'impersonation']);

/** The chain inside the request's span, ended when the response is over (a watch's when its stream ends). */
export function tracedRequests(tracer: Tracer, chain: Handler): Handler {
  return (ex) => {
    const span = tracer.startRequest('KubernetesAPI', ex.headers, {
      'http.request.method': ex.method, 'url.path': ex.path, 'http.target': ex.requestURI,
      'user_agent.original': ex.headers['user-agent'],
    });
    ex.traceID = tracer.traceID(span);
    // Not sampled: nothing under it would be recorded either, so the request runs without a current span (no children made).
    if (!span.isRecording()) return chain(ex);
    ex.onFinished(() => {
      span.setAttribute('http.response.status_code', ex.status);
      if (ex.auditID) span.setAttribute('k8s.audit_id', ex.auditID);
      const info = ex.requestInfo;
      if (info?.isResourceRequest) {
        span.setAttributes({ 'k8s.verb': info.verb, 'k8s.group': info.apiGroup, 'k8s.resource': info.resource, 'k8s.namespace': info.namespace });
        if (info.subresource) span.setAttribute('k8s.subresource', info.subresource);
      }
      if (ex.status >= 500) span.setStatus({ code: 2 }); // SpanStatusCode.ERROR: @opentelemetry/api is not imported where tracing may be off
      span.end();
    });
    return tracer.withSpan(span, () => chain(ex));
  };
}

export function tracedFilter(tracer: Tracer, f: Filter): Filter {
  if (!tracedFilters.has(f.name)) return f;
  return {
    name: f.name,
    async filter(ex, next) {
      const parent = tracer.current();
      const span = tracer.startChild(f.name, {});
      if (!span) return f.filter(ex, next);
      let open = true;
      const end = () => {
        if (open) span.end();
        open = false;
      };
      try {
        // The rest of the chain runs under the request's span, not this one.
        await tracer.withSpan(span, () => f.filter(ex, () => {
          end();
          return tracer.withContext(parent, next);
        }));
      } catch (e) {
        if (open) tracer.fail(span, e);
        throw e;
      } finally {
        end();
      }
    },
  };
}

/** The admission chain with a span for its mutating and its validating pass. */
export function tracedAdmission(tracer: Tracer, chain: AdmissionChain): AdmissionChain {
  const pass = (phase: 'admit' | 'validate') => async (attrs: AdmissionAttributes) => {
    const span = tracer.startChild(phase === 'admit' ? 'admission (mutating)' : 'admission (validating)', {
      'k8s.operation': attrs.operation, 'k8s.resource': attrs.resource.resource, 'k8s.namespace': attrs.namespace || undefined,
    });
    if (!span) return chain[phase](attrs);
    try {
      await tracer.withSpan(span, () => chain[phase](attrs));
    } catch (e) {
      tracer.fail(span, e);
      throw e;
    } finally {
      span.end();
    }
  };
  return Object.assign(Object.create(chain) as AdmissionChain, { admit: pass('admit'), validate: pass('validate') });
}
