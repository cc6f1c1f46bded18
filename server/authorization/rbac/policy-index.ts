// The RBAC policy in memory: roles by name and bindings by the subjects they name, so finding the
// rules that apply to a user costs a few map lookups (its name and groups), not a scan of every
// binding. Filled by the watcher (watcher.ts) or directly (tests, the benchmark).
import type { KubeObject } from '../../api/object.js';
import type { UserInfo } from '../../authentication/user.js';
import { appliesTo, describeSubject, type PolicyRule, quote, type Subject, subjectKey, userKeys } from './rules.js';

export type PolicyKind = 'ClusterRole' | 'Role' | 'ClusterRoleBinding' | 'RoleBinding';

interface RoleRef { apiGroup?: string; kind: string; name: string }

interface Binding {
  kind: 'ClusterRoleBinding' | 'RoleBinding';
  namespace: string;
  name: string;
  roleRef: RoleRef;
  subjects: Subject[];
}

/** Called for each rule that applies; return false to stop. `source` describes the binding, as kube's allowed-by reason. */
export type RuleVisitor = (source: () => string, rule: PolicyRule) => boolean;

const clusterScope = '';

export class PolicyIndex {
  private readonly clusterRoles = new Map<string, PolicyRule[]>();
  /** "namespace/name" -> rules. */
  private readonly roles = new Map<string, PolicyRule[]>();
  /** Every binding by "namespace/name" of its kind, to unindex it when it changes. */
  private readonly bindings = { ClusterRoleBinding: new Map<string, Binding>(), RoleBinding: new Map<string, Binding>() };
  /** namespace ('' for ClusterRoleBindings) -> subject key -> bindings naming it. */
  private readonly bySubject = new Map<string, Map<string, Set<Binding>>>();

  /** Adds, replaces (obj) or removes (undefined) one object of a kind by its "namespace/name" key. */
  set(kind: PolicyKind, key: string, obj: KubeObject | undefined): void {
    switch (kind) {
      case 'ClusterRole': setOrDelete(this.clusterRoles, key.slice(key.indexOf('/') + 1), obj && rulesOf(obj)); break;
      case 'Role': setOrDelete(this.roles, key, obj && rulesOf(obj)); break;
      default: this.setBinding(kind, key, obj);
    }
  }

  private setBinding(kind: Binding['kind'], key: string, obj: KubeObject | undefined): void {
    const old = this.bindings[kind].get(key);
    if (old) this.indexBinding(old, false);
    if (!obj) {
      this.bindings[kind].delete(key);
      return;
    }
    const b: Binding = {
      kind, namespace: kind === 'RoleBinding' ? obj.metadata.namespace ?? '' : clusterScope, name: obj.metadata.name!,
      roleRef: (obj.roleRef ?? { kind: '', name: '' }) as RoleRef, subjects: (obj.subjects ?? []) as Subject[],
    };
    this.bindings[kind].set(key, b);
    this.indexBinding(b, true);
  }

  private indexBinding(b: Binding, add: boolean): void {
    let byKey = this.bySubject.get(b.namespace);
    if (!byKey) this.bySubject.set(b.namespace, (byKey = new Map()));
    for (const s of b.subjects) {
      const k = subjectKey(s, b.namespace);
      if (!k) continue;
      let set = byKey.get(k);
      if (add) {
        if (!set) byKey.set(k, (set = new Set()));
        set.add(b);
      } else if (set) {
        set.delete(b);
        if (!set.size) byKey.delete(k);
      }
    }
  }

  /** The rules of a ClusterRole (aggregation reads them). */
  clusterRoleRules(name: string): PolicyRule[] | undefined {
    return this.clusterRoles.get(name);
  }

  /**
   * Visits the rules of every binding that applies to the user: ClusterRoleBindings, then the
   * namespace's RoleBindings (none for cluster-scoped requests). Returns the errors of roles that
   * cannot be found, in kube's words; visiting stops when the visitor returns false.
   */
  visitRules(user: UserInfo, namespace: string, visit: RuleVisitor, opts: { skipRepeatedRoles?: boolean } = {}): string[] {
    const errors: string[] = [];
    // A role bound several times to the user is visited once when only the answer matters (authorize):
    // the first binding found is the one the reason names either way.
    const visitedRoles = opts.skipRepeatedRoles ? new Set<PolicyRule[]>() : undefined;
    const keys = userKeys(user);
    for (const ns of namespace ? [clusterScope, namespace] : [clusterScope]) {
      const byKey = this.bySubject.get(ns);
      if (!byKey) continue;
      const done = new Set<Binding>();
      for (const k of keys) {
        for (const b of byKey.get(k) ?? []) {
          if (done.has(b)) continue;
          done.add(b);
          const subject = b.subjects.find((s) => appliesTo(user, s, b.namespace));
          if (!subject) continue;
          const rules = this.roleRefRules(b);
          if (!rules) {
            errors.push(`${b.roleRef.kind === 'Role' ? 'role' : 'clusterrole'}.rbac.authorization.k8s.io ${quote(b.roleRef.name)} not found`);
            continue;
          }
          if (visitedRoles?.has(rules)) continue;
          visitedRoles?.add(rules);
          const source = () => describeBinding(b, subject);
          for (const r of rules) if (!visit(source, r)) return errors;
        }
      }
    }
    return errors;
  }

  /** A RoleBinding may name a Role of its namespace or a ClusterRole (whose rules then apply in that namespace only). */
  private roleRefRules(b: Binding): PolicyRule[] | undefined {
    if (b.roleRef.kind === 'ClusterRole') return this.clusterRoles.get(b.roleRef.name);
    if (b.roleRef.kind === 'Role' && b.kind === 'RoleBinding') return this.roles.get(`${b.namespace}/${b.roleRef.name}`);
    return undefined;
  }

  /** Every rule that applies to the user in the namespace, and the resolution errors. */
  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    const rules: PolicyRule[] = [];
    const errors = this.visitRules(user, namespace, (_s, r) => (rules.push(r), true));
    return { rules, errors };
  }

  get size(): { clusterRoles: number; roles: number; clusterRoleBindings: number; roleBindings: number } {
    return { clusterRoles: this.clusterRoles.size, roles: this.roles.size, clusterRoleBindings: this.bindings.ClusterRoleBinding.size, roleBindings: this.bindings.RoleBinding.size };
  }
}

function setOrDelete<V>(m: Map<string, V>, key: string, v: V | undefined): void {
  if (v === undefined) m.delete(key);
  else m.set(key, v);
}

const rulesOf = (obj: KubeObject): PolicyRule[] => ((obj.rules ?? []) as PolicyRule[]).map((r) => ({ ...r, verbs: r.verbs ?? [] }));

/** kube's clusterRoleBindingDescriber / roleBindingDescriber. */
function describeBinding(b: Binding, s: Subject): string {
  const name = b.kind === 'RoleBinding' ? `${b.name}/${b.namespace}` : b.name;
  return `${b.kind} ${quote(name)} of ${b.roleRef.kind} ${quote(b.roleRef.name)} to ${describeSubject(s, b.namespace)}`;
}
