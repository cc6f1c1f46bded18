// What the mutating and validating webhook plugins share: the configurations they follow, the
// client, matching, one call with its checks (sideEffects and dryRun, the response, warnings and
// audit annotations), and kube's errors: `admission webhook "x" denied the request: ...` for a
// denial, `Internal error occurred: failed calling webhook "x": ...` for a failed call under
// failurePolicy Fail (a failed call under Ignore is skipped and noted in the audit event).
import { randomUUID } from 'node:crypto';
import { ApiError, errors, type StatusReason } from '../api/errors.js';
import type { KubeObject } from '../api/object.js';
import type { TypeRegistry } from '../registry/registry.js';
import type { GenericStore } from '../registry/store.js';
import type { Storage } from '../storage/interface.js';
import { admissionRequest, admissionReview, type AdmissionResponse, reviewVersion, UndecodablePatch, verifyResponse } from './admission-review.js';
import { CachedReads } from './cached-reads.js';
import type { AdmissionAttributes } from './chain.js';
import { ServiceResolver } from './service-resolver.js';
import { WebhookCallError, WebhookClient } from './webhook-client.js';
import { WebhookConfigurations, type WebhookKind } from './webhook-configurations.js';
import { type Invocation, isExempt, type MatchingContext, shouldCallHook } from './webhook-matching.js';

/** How long a request waits for the configurations' first state (kube's WaitForReady). */
const readyWaitMs = 10_000;

export class WebhookDispatch {
  readonly configurations = new WebhookConfigurations();
  private readonly reads: CachedReads;
  private readonly client: WebhookClient;

  constructor(storage: Storage, private readonly types: TypeRegistry) {
    this.reads = new CachedReads(storage, types);
    this.client = new WebhookClient(new ServiceResolver(this.reads));
  }

  start(store: GenericStore): Promise<void> {
    return this.configurations.start(store, this.types);
  }

  stop(): void {
    this.configurations.stop();
    this.client.close();
  }

  /** The webhooks of `kind` this request calls, in order, or none (exempt kinds, no configuration). */
  async invocations(kind: WebhookKind, attrs: AdmissionAttributes, only?: (uid: string) => boolean): Promise<Invocation[]> {
    if (isExempt(attrs.resource)) return [];
    if (!(await this.configurations.whenSynced(readyWaitMs))) {
      throw errors.forbidden(`${qualifiedResource(attrs)} "${attrs.name}" is forbidden: not yet ready to handle request`,
        { name: attrs.name, group: attrs.resource.group || undefined, kind: attrs.resource.resource });
    }
    const out: Invocation[] = [];
    const ctx = this.matching(attrs);
    for (const hook of this.configurations.webhooks(kind)) {
      if (only && !only(hook.uid)) continue;
      const inv = await shouldCallHook(hook, attrs, ctx);
      if (inv) out.push(inv);
    }
    return out;
  }

  /**
   * Calls one webhook with `object` (already in the invocation's version). A denial throws kube's
   * rejection; a failed call throws WebhookCallError (the caller applies failurePolicy).
   */
  async call(inv: Invocation, attrs: AdmissionAttributes, object: KubeObject | undefined, mutating: boolean): Promise<AdmissionResponse> {
    const h = inv.hook.spec;
    if (attrs.dryRun) {
      if (!h.sideEffects) throw new WebhookCallError(h.name, 'Webhook SideEffects is nil', errors.badRequest('Webhook SideEffects is nil'));
      if (h.sideEffects !== 'None' && h.sideEffects !== 'NoneOnDryRun') throw errors.badRequest(`admission webhook ${JSON.stringify(h.name)} does not support dry run`);
    }
    const uid = randomUUID();
    const version = reviewVersion(h.admissionReviewVersions);
    const answer = await this.client.post(h, admissionReview(version, admissionRequest(uid, attrs, inv.resource, object)));
    let response: AdmissionResponse;
    try {
      response = verifyResponse(uid, version, mutating, answer);
    } catch (e) {
      if (e instanceof UndecodablePatch) throw new WebhookCallError(h.name, `received undecodable patch in webhook response: ${e.message}`, errors.unavailable('error decoding patch in webhook response'));
      throw new WebhookCallError(h.name, `received invalid webhook response: ${(e as Error).message}`, errors.unavailable('error validating webhook response'));
    }
    for (const [k, v] of Object.entries(response.auditAnnotations)) attrs.annotate?.(`${h.name}/${k}`, String(v));
    attrs.warnings?.push(...response.warnings);
    if (!response.allowed) throw rejection(h.name, response.result);
    return response;
  }

  private matching(attrs: AdmissionAttributes): MatchingContext {
    return {
      types: this.types,
      namespaceLabels: async (name) => {
        const ns = await this.reads.get('', 'namespaces', '', name);
        return ns ? ns.metadata.labels ?? {} : undefined;
      },
      request: (resource) => {
        const r = admissionRequest('', attrs, resource, undefined);
        delete r.object;
        delete r.oldObject;
        return r;
      },
    };
  }
}

/** failurePolicy applied to a call's failure: Ignore skips it (undefined), Fail refuses with kube's InternalError. */
export function failedCall(e: unknown, failurePolicy: string | undefined, onFailOpen: () => void): ApiError | Error | undefined {
  if (!(e instanceof WebhookCallError)) return e as Error;
  if (failurePolicy === 'Ignore') {
    onFailOpen();
    return undefined;
  }
  return errors.internal(e.message);
}

/** webhookerrors.ToStatusErr: the webhook's Status, with kube's prefix and at least 400. */
function rejection(webhook: string, result: Record<string, unknown> | undefined): ApiError {
  const deniedBy = `admission webhook ${JSON.stringify(webhook)} denied the request`;
  const r = result ?? {};
  const code = typeof r.code === 'number' && r.code >= 400 ? r.code : 400;
  const message = r.message ? `${deniedBy}: ${r.message as string}` : r.reason ? `${deniedBy}: ${r.reason as string}` : `${deniedBy} without explanation`;
  return new ApiError(code, (r.reason ?? '') as StatusReason, message, r.details as ApiError['details']);
}

function qualifiedResource(attrs: AdmissionAttributes): string {
  return attrs.resource.group ? `${attrs.resource.resource}.${attrs.resource.group}` : attrs.resource.resource;
}
