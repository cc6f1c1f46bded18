// kube-controller-manager's clusterrole-aggregation controller, run by the server while no real
// controller manager does: a ClusterRole with an aggregationRule gets as rules the union of the
// rules of every other ClusterRole its selectors match (admin, edit and view are built this way).
// Every instance may run it: writes carry the resourceVersion they were computed from, and a
// conflict means another writer was first — the change it makes brings a new pass anyway.
import { ApiError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { PrefixFollower } from '../../registry/follower.js';
import type { PolicyRule } from '../../authorization/rbac/rules.js';
import type { GenericStore } from '../../registry/store.js';
import type { ResourceType } from '../../registry/types.js';
import { labelSelectorFromObject } from '../../selectors/labels.js';
import type { PostStartContext } from '../post-start.js';

const manager = 'clusterrole-aggregation-controller';
const debounceMs = 20;
/** A pass also runs this often: after the real controller manager left, or a write that failed. */
const resyncMs = 10_000;

type Selector = Parameters<typeof labelSelectorFromObject>[0];

/** Rules compared as kube's semantic equality: an empty list is the same as none. */
function canonicalRule(r: PolicyRule): string {
  const keys = ['verbs', 'apiGroups', 'resources', 'resourceNames', 'nonResourceURLs'] as const;
  return JSON.stringify(keys.map((k) => (r[k]?.length ? r[k] : null)));
}

/** The rules an aggregated role should have: other roles by name, each selector in turn, without repeats. */
export function aggregatedRules(role: KubeObject, all: KubeObject[]): PolicyRule[] {
  const selectors = ((role.aggregationRule as { clusterRoleSelectors?: Selector[] } | undefined)?.clusterRoleSelectors ?? []);
  const sorted = [...all].sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0));
  const out: PolicyRule[] = [];
  const seen = new Set<string>();
  for (const sel of selectors) {
    const matcher = labelSelectorFromObject(sel);
    for (const other of sorted) {
      if (other.metadata.name === role.metadata.name || !matcher.matches(other.metadata.labels)) continue;
      for (const r of (other.rules ?? []) as PolicyRule[]) {
        const key = canonicalRule(r);
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(r);
      }
    }
  }
  return out;
}

const sameRules = (a: PolicyRule[], b: PolicyRule[]): boolean => a.length === b.length && a.every((r, i) => canonicalRule(r) === canonicalRule(b[i]));

export class ClusterRoleAggregator {
  private readonly follower: PrefixFollower;
  private timer?: NodeJS.Timeout;
  private resync?: NodeJS.Timeout;
  private running = false;
  private again = false;

  constructor(private readonly store: GenericStore, private readonly rt: ResourceType) {
    this.follower = new PrefixFollower(store, rt, { changed: () => this.schedule() });
  }

  async start(): Promise<void> {
    this.resync = setInterval(() => this.schedule(), resyncMs);
    this.resync.unref();
    await this.follower.start();
    this.schedule();
  }

  stop(): void {
    this.follower.stop();
    clearInterval(this.resync);
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.pass();
    }, debounceMs);
    this.timer.unref();
  }

  private async pass(): Promise<void> {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    try {
      if (!this.follower.synced || (await this.store.controllerManager.active())) return;
      const all = [...this.follower.values()];
      for (const role of all) {
        if (!role.aggregationRule) continue;
        const rules = aggregatedRules(role, all);
        if (sameRules(rules, (role.rules ?? []) as PolicyRule[])) continue;
        try {
          await this.store.update(this.rt, '', role.metadata.name!, { ...role, rules }, { dryRun: false, fieldValidation: 'Ignore', warnings: [], fieldManager: manager });
        } catch (e) {
          // Conflict or gone: another writer was first, and its event brings a new pass.
          if (!(e instanceof ApiError && (e.reason === 'Conflict' || e.reason === 'NotFound'))) throw e;
        }
      }
    } catch {
      // etcd away or stopping: the resync tries again.
    } finally {
      this.running = false;
      if (this.again) {
        this.again = false;
        this.schedule();
      }
    }
  }
}

const running = new WeakMap<GenericStore, ClusterRoleAggregator>();

export async function startClusterRoleAggregation(ctx: PostStartContext): Promise<void> {
  const rt = ctx.types.lookup('rbac.authorization.k8s.io', 'v1', 'clusterroles');
  if (!rt || running.has(ctx.store)) return;
  const aggregator = new ClusterRoleAggregator(ctx.store, rt);
  running.set(ctx.store, aggregator);
  await aggregator.start();
}

export function stopClusterRoleAggregation(store: GenericStore): void {
  running.get(store)?.stop();
  running.delete(store);
}
