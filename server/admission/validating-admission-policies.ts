// The ValidatingAdmissionPolicies and their bindings every request is matched against, followed
// from the watch cache (no etcd read per request), as kube's policy source follows its informers.
import type { KubeObject } from '../api/object.js';
import { PrefixFollower } from '../registry/follower.js';
import type { TypeRegistry } from '../registry/registry.js';
import type { GenericStore } from '../registry/store.js';

export interface PolicyHook {
  policy: KubeObject;
  /** The bindings that name it, by name. */
  bindings: KubeObject[];
}

const byName = (a: KubeObject, b: KubeObject) => (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0);

export class ValidatingAdmissionPolicies {
  private policies?: PrefixFollower;
  private bindings?: PrefixFollower;
  /** Policies with their bindings, rebuilt on the first read after a change. */
  private hooks?: PolicyHook[];

  async start(store: GenericStore, types: TypeRegistry): Promise<void> {
    const rt = (resource: string) => {
      const t = types.lookup('admissionregistration.k8s.io', 'v1', resource);
      if (!t) throw new Error(`ValidatingAdmissionPolicy: ${resource} is not registered`);
      return t;
    };
    const changed = () => { this.hooks = undefined; };
    this.policies = new PrefixFollower(store, rt('validatingadmissionpolicies'), { changed });
    this.bindings = new PrefixFollower(store, rt('validatingadmissionpolicybindings'), { changed });
    await Promise.all([this.policies.start(), this.bindings.start()]);
  }

  stop(): void {
    this.policies?.stop();
    this.bindings?.stop();
  }

  get synced(): boolean {
    return Boolean(this.policies?.synced && this.bindings?.synced);
  }

  /** Resolves true once synced, false when `timeoutMs` passes first. */
  async whenSynced(timeoutMs: number): Promise<boolean> {
    if (this.synced) return true;
    if (!this.policies || !this.bindings) return false;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<false>((r) => { timer = setTimeout(() => r(false), timeoutMs); });
    const synced = Promise.all([this.policies.whenSynced(), this.bindings.whenSynced()]).then(() => this.synced);
    try {
      return await Promise.race([synced, timedOut]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Policies that have at least one binding, by name; a binding naming no existing policy is ignored. */
  current(): PolicyHook[] {
    if (!this.hooks) {
      const bindings = new Map<string, KubeObject[]>();
      for (const b of [...(this.bindings?.values() ?? [])].sort(byName)) {
        const name = (b as { spec?: { policyName?: string } }).spec?.policyName;
        if (!name) continue;
        bindings.set(name, [...(bindings.get(name) ?? []), b]);
      }
      this.hooks = [...(this.policies?.values() ?? [])].sort(byName)
        .map((policy) => ({ policy, bindings: bindings.get(policy.metadata.name!) ?? [] }))
        .filter((h) => h.bindings.length > 0);
    }
    return this.hooks;
  }
}
