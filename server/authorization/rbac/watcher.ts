// Keeps a PolicyIndex current from the watch cache: one follower per RBAC kind, synced once all
// four have delivered their initial state.
import type { KubeObject } from '../../api/object.js';
import type { GenericStore } from '../../registry/store.js';
import type { TypeRegistry } from '../../registry/registry.js';
import { PrefixFollower } from '../../registry/follower.js';
import { type PolicyKind, PolicyIndex } from './policy-index.js';

const group = 'rbac.authorization.k8s.io';
const kinds: Array<[PolicyKind, string]> = [['ClusterRole', 'clusterroles'], ['Role', 'roles'], ['ClusterRoleBinding', 'clusterrolebindings'], ['RoleBinding', 'rolebindings']];

export class PolicyWatcher {
  readonly index = new PolicyIndex();
  private readonly followers: PrefixFollower[];
  /** Called after every change (the aggregation controller listens). */
  private readonly listeners: Array<(kind: PolicyKind) => void> = [];

  constructor(store: GenericStore, types: TypeRegistry) {
    this.followers = kinds.map(([kind, resource]) => {
      const rt = types.lookup(group, 'v1', resource);
      if (!rt) throw new Error(`RBAC: ${resource}.${group} is not registered`);
      return new PrefixFollower(store, rt, {
        changed: (key, obj) => {
          this.index.set(kind, key, obj);
          for (const l of this.listeners) l(kind);
        },
      });
    });
  }

  get synced(): boolean {
    return this.followers.every((f) => f.synced);
  }

  /** The ClusterRoles as stored (aggregation reads their labels and aggregationRule). */
  clusterRoles(): Iterable<KubeObject> {
    return this.followers[0].values();
  }

  onChange(l: (kind: PolicyKind) => void): void {
    this.listeners.push(l);
  }

  async start(): Promise<void> {
    await Promise.all(this.followers.map((f) => f.start()));
  }

  stop(): void {
    for (const f of this.followers) f.stop();
  }
}
