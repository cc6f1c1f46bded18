// MutatingAdmissionWebhook: the mutating webhooks, one after the other, each seeing the object as
// the ones before left it; JSONPatch answers are applied (and the result defaulted, as kube decodes
// it with defaults). reinvocationPolicy IfNeeded: a webhook that ran before a later one changed the
// object is called once more, after the first round (kube's reinvocation, within this plugin).
import { errors } from '../api/errors.js';
import { clone, type KubeObject } from '../api/object.js';
import { applyJSONPatch } from '../patch/json-patch.js';
import type { AdmissionAttributes, AdmissionPlugin, Operation } from './chain.js';
import { toVersion } from './admission-review.js';
import { failedCall, type WebhookDispatch } from './webhook-dispatch.js';
import type { Invocation } from './webhook-matching.js';

export class MutatingAdmissionWebhook implements AdmissionPlugin {
  readonly name = 'MutatingAdmissionWebhook';

  constructor(private readonly dispatch: WebhookDispatch) {}

  handles(operation: Operation): boolean {
    return operation !== 'CONNECT';
  }

  async admit(attrs: AdmissionAttributes): Promise<void> {
    const first = await this.dispatch.invocations('mutating', attrs);
    if (first.length === 0) return;
    // Webhooks see the object as kube decodes it: defaulted.
    if (attrs.object) attrs.resource.strategy.defaults?.(attrs.object);
    /** IfNeeded webhooks called since the last change, and those a later change calls again. */
    let invokedSinceChange = new Set<string>();
    let reinvoke = new Set<string>();
    const round = async (n: number, invocations: Invocation[]) => {
      for (const [index, inv] of invocations.entries()) {
        const changed = await this.callOne(inv, attrs, n, index);
        if (changed) {
          reinvoke = new Set([...reinvoke, ...invokedSinceChange]);
          invokedSinceChange = new Set();
        }
        if (inv.hook.spec.reinvocationPolicy === 'IfNeeded') invokedSinceChange.add(inv.hook.uid);
      }
    };
    await round(0, first);
    if (reinvoke.size === 0) return;
    // A webhook is only called again, never for the first time, in the second round.
    const again = reinvoke;
    reinvoke = new Set();
    await round(1, await this.dispatch.invocations('mutating', attrs, (uid) => again.has(uid)));
  }

  /** One call: true when its patch changed the object. */
  private async callOne(inv: Invocation, attrs: AdmissionAttributes, round: number, index: number): Promise<boolean> {
    const h = inv.hook.spec;
    const rt = attrs.resource;
    const before = toVersion(attrs.object, rt, inv.resource);
    let changed = false;
    try {
      const response = await this.dispatch.call(inv, attrs, before, true);
      if (response.patch === undefined) return false;
      if (!attrs.object || !before) {
        throw errors.internal(`admission webhook ${JSON.stringify(h.name)} attempted to modify the object, which is not supported for this operation`);
      }
      let patched: KubeObject;
      try {
        patched = applyJSONPatch(clone(before), response.patch) as KubeObject;
      } catch (e) {
        throw errors.internal((e as Error).message);
      }
      const back = toVersion(patched, inv.resource, rt)!;
      rt.strategy.defaults?.(back);
      changed = JSON.stringify(back) !== JSON.stringify(attrs.object);
      if (changed) replaceContents(attrs.object, back);
      return changed;
    } catch (e) {
      const err = failedCall(e, h.failurePolicy, () => attrs.annotate?.(`failed-open.mutation.webhook.admission.k8s.io/round_${round}_index_${index}`, h.name));
      if (err) throw err;
      return false;
    } finally {
      attrs.annotate?.(`mutation.webhook.admission.k8s.io/round_${round}_index_${index}`,
        JSON.stringify({ configuration: inv.hook.configuration, webhook: h.name, mutated: changed }));
    }
  }
}

/** The store holds this object: change it in place. */
function replaceContents(target: KubeObject, source: KubeObject): void {
  for (const k of Object.keys(target)) delete (target as Record<string, unknown>)[k];
  Object.assign(target, source);
}
