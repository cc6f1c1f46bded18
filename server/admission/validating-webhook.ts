// ValidatingAdmissionWebhook: every matching validating webhook, called in parallel after the
// object has been validated; any denial or failed call (failurePolicy Fail) refuses the request.
import type { AdmissionAttributes, AdmissionPlugin, Operation } from './chain.js';
import { toVersion } from './admission-review.js';
import { failedCall, type WebhookDispatch } from './webhook-dispatch.js';

export class ValidatingAdmissionWebhook implements AdmissionPlugin {
  readonly name = 'ValidatingAdmissionWebhook';

  constructor(private readonly dispatch: WebhookDispatch) {}

  handles(operation: Operation): boolean {
    return operation !== 'CONNECT';
  }

  async validate(attrs: AdmissionAttributes): Promise<void> {
    const invocations = await this.dispatch.invocations('validating', attrs);
    if (invocations.length === 0) return;
    const results = await Promise.all(invocations.map(async (inv, index) => {
      const h = inv.hook.spec;
      try {
        await this.dispatch.call(inv, attrs, toVersion(attrs.object, attrs.resource, inv.resource), false);
        return undefined;
      } catch (e) {
        return failedCall(e, h.failurePolicy, () => attrs.annotate?.(`failed-open.validating.webhook.admission.k8s.io/round_0_index_${index}`, h.name));
      }
    }));
    const first = results.find((e) => e);
    if (first) throw first;
  }
}
