// The webhook configurations every request is matched against, followed from the watch cache (no
// etcd read per request), as kube's configuration managers follow their informers: configurations
// sorted by name, their webhooks in order. Until the first state is in, a request waits for it.
import type { KubeObject } from '../api/object.js';
import { PrefixFollower } from '../registry/follower.js';
import type { TypeRegistry } from '../registry/registry.js';
import type { GenericStore } from '../registry/store.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
export type WebhookSpec = Record<string, any>;

export interface Webhook {
  /** The configuration's name. */
  configuration: string;
  /** Position in the configuration's webhooks. */
  index: number;
  /** Unique across configurations (kube's `<configuration>/<webhook>/<index>`), for reinvocation. */
  uid: string;
  spec: WebhookSpec;
}

export type WebhookKind = 'mutating' | 'validating';
const resources: Record<WebhookKind, string> = { mutating: 'mutatingwebhookconfigurations', validating: 'validatingwebhookconfigurations' };

export class WebhookConfigurations {
  private readonly followers = new Map<WebhookKind, PrefixFollower>();
  /** The flattened, sorted webhooks, rebuilt on the first read after a change. */
  private readonly hooks = new Map<WebhookKind, Webhook[]>();

  /** Starts following both kinds; resolves once both have their initial state. */
  async start(store: GenericStore, types: TypeRegistry): Promise<void> {
    for (const kind of ['mutating', 'validating'] as const) {
      const rt = types.lookup('admissionregistration.k8s.io', 'v1', resources[kind]);
      if (!rt) throw new Error(`admission webhooks: ${resources[kind]} is not registered`);
      this.followers.set(kind, new PrefixFollower(store, rt, { changed: () => this.hooks.delete(kind) }));
    }
    await Promise.all([...this.followers.values()].map((f) => f.start()));
  }

  stop(): void {
    for (const f of this.followers.values()) f.stop();
  }

  get synced(): boolean {
    return this.followers.size > 0 && [...this.followers.values()].every((f) => f.synced);
  }

  /** Resolves true once synced, false when `timeoutMs` passes first (kube's WaitForReady waits 10 s). */
  async whenSynced(timeoutMs: number): Promise<boolean> {
    if (this.synced) return true;
    if (this.followers.size === 0) return false;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((r) => { timer = setTimeout(() => r(false), timeoutMs); });
    const synced = Promise.all([...this.followers.values()].map((f) => f.whenSynced())).then(() => this.synced);
    try {
      return await Promise.race([synced, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  webhooks(kind: WebhookKind): Webhook[] {
    let hooks = this.hooks.get(kind);
    if (!hooks) {
      const configurations = [...(this.followers.get(kind)?.values() ?? [])]
        .sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0));
      hooks = configurations.flatMap((c: KubeObject) => ((c as WebhookSpec).webhooks ?? []).map((spec: WebhookSpec, index: number) => ({
        configuration: c.metadata.name!, index, uid: `${c.metadata.name}/${spec.name}/${index}`, spec,
      })));
      this.hooks.set(kind, hooks);
    }
    return hooks;
  }
}
