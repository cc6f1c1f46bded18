// PodSecurity admission (kube's plugin/pkg/admission/security/podsecurity over
// k8s.io/pod-security-admission/admission): pods are checked against their namespace's enforce,
// audit and warn levels (refused, annotated in the audit event, or answered with a warning); pod
// controllers' templates get warn and audit but never enforce; namespace label changes are
// validated and warn about existing pods the new enforce level would refuse.
import { ApiError, errors } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../chain.js';
import type { Obj } from './check.js';
import type { PodSecurityConfiguration } from './configuration.js';
import { aggregate, type AggregateResult, evaluatePod, forbiddenDetail, forbiddenReason } from './evaluator.js';
import {
  compareLevels, equivalentPolicies, fullyPrivileged, labels, type LevelVersion, levelVersionString, type Policy, policyToEvaluate, sameLevelVersion,
} from './policy.js';

/** What the plugin reads: namespaces and a namespace's pods, from the watch cache. */
export interface PodSecurityReads {
  namespace(name: string): Promise<KubeObject | undefined>;
  pods(namespace: string): Promise<KubeObject[]>;
}

/** Pod subresources that cannot change what a pod runs (kube's ignoredPodSubresources). */
const ignoredPodSubresources = new Set(['exec', 'attach', 'binding', 'eviction', 'log', 'portforward', 'proxy', 'status']);

/** Kinds that hold a pod template, and where (kube's DefaultPodSpecExtractor). */
const podTemplates: Record<string, (o: Obj) => Obj | undefined> = {
  '/podtemplates': (o) => o.template,
  '/replicationcontrollers': (o) => o.spec?.template,
  'apps/replicasets': (o) => o.spec?.template,
  'apps/deployments': (o) => o.spec?.template,
  'apps/daemonsets': (o) => o.spec?.template,
  'apps/statefulsets': (o) => o.spec?.template,
  'batch/jobs': (o) => o.spec?.template,
  'batch/cronjobs': (o) => o.spec?.jobTemplate?.spec?.template,
};

/** kube's namespaceMaxPodsToCheck: a namespace label change checks at most this many existing pods. */
const namespaceMaxPodsToCheck = 3000;
const auditAnnotationPrefix = 'pod-security.kubernetes.io/';

export class PodSecurity implements AdmissionPlugin {
  readonly name = 'PodSecurity';

  constructor(private readonly config: PodSecurityConfiguration, private readonly reads: PodSecurityReads) {}

  handles(operation: string): boolean {
    return operation === 'CREATE' || operation === 'UPDATE';
  }

  async validate(a: AdmissionAttributes): Promise<void> {
    const { group, resource } = a.resource;
    if (group === '' && resource === 'namespaces') return this.validateNamespace(a);
    if (group === '' && resource === 'pods') return this.validatePod(a);
    const template = podTemplates[`${group}/${resource}`];
    if (template) return this.validatePodController(a, template);
  }

  private async validateNamespace(a: AdmissionAttributes): Promise<void> {
    if (a.subresource || !a.object) return;
    // kube's handlers make a namespace's own name its namespace, so exemptions apply to it.
    const name = a.object.metadata.name ?? a.name;
    const nsLabels = a.object.metadata.labels;
    const { policy, errors: errs } = policyToEvaluate(nsLabels, this.config.defaults);
    if (a.operation === 'CREATE') {
      if (errs.length) throw errors.invalid('Namespace', '', name, errs);
      this.warnExempt(a, name, policy, nsLabels);
      return;
    }
    const old = policyToEvaluate(a.oldObject?.metadata.labels, this.config.defaults);
    if (errs.length && (!old.errors.length || JSON.stringify(errs) !== JSON.stringify(old.errors))) throw errors.invalid('Namespace', '', name, errs);
    if (sameLevelVersion(policy.enforce, old.policy.enforce) || policy.enforce.level === 'privileged') return;
    // Only a stricter level at the same version, or another version, can refuse pods that run.
    if (sameVersion(policy.enforce, old.policy.enforce) && compareLevels(policy.enforce.level, old.policy.enforce.level) < 1) return;
    if (this.exemptNamespace(name)) {
      this.warnExempt(a, name, policy, nsLabels);
      return;
    }
    for (const w of await this.evaluatePodsInNamespace(name, policy.enforce)) a.warnings?.push(w);
  }

  private async validatePod(a: AdmissionAttributes): Promise<void> {
    if (ignoredPodSubresources.has(a.subresource)) return;
    if (this.exempt(a)) return;
    const ns = await this.namespaceOf(a, true);
    const { policy, errors: errs } = policyToEvaluate(ns!.metadata.labels, this.config.defaults);
    if (!errs.length && fullyPrivileged(policy)) {
      a.annotate?.(`${auditAnnotationPrefix}enforce-policy`, 'privileged:latest');
      return;
    }
    const pod = a.object as Obj | undefined;
    if (!pod) return;
    if (a.operation === 'UPDATE' && !significantPodUpdate(pod, a.oldObject as Obj)) return;
    this.evaluate(a, policy, errs.length ? policyError(errs) : undefined, pod.metadata ?? {}, pod.spec ?? {}, true);
  }

  private async validatePodController(a: AdmissionAttributes, template: (o: Obj) => Obj | undefined): Promise<void> {
    if (a.subresource || this.exempt(a)) return;
    const ns = await this.namespaceOf(a, false);
    if (!ns) return;
    const { policy, errors: errs } = policyToEvaluate(ns.metadata.labels, this.config.defaults);
    if (!errs.length && policy.warn.level === 'privileged' && policy.audit.level === 'privileged') return;
    const t = a.object ? template(a.object as Obj) : undefined;
    if (!t) return;
    this.evaluate(a, policy, errs.length ? policyError(errs) : undefined, t.metadata ?? {}, t.spec ?? {}, false);
  }

  /** kube's EvaluatePod: enforce (pods only), then audit, then warn, each level and version evaluated once. */
  private evaluate(a: AdmissionAttributes, policy: Policy, policyErr: string | undefined, meta: Obj, spec: Obj, enforce: boolean): void {
    if (spec.runtimeClassName && this.config.exemptions.runtimeClasses.includes(spec.runtimeClassName)) {
      a.annotate?.(`${auditAnnotationPrefix}exempt`, 'runtimeClass');
      return;
    }
    const annotations: Record<string, string> = {};
    if (policyErr) annotations.error = `Failed to parse policy: ${policyErr}`;
    const results = new Map<string, AggregateResult>();
    const resultFor = (lv: LevelVersion) => {
      const key = levelVersionString(lv);
      let r = results.get(key);
      if (!r) results.set(key, (r = aggregate(evaluatePod(lv, meta, spec))));
      return r;
    };
    let refusal: ApiError | undefined;
    if (enforce) {
      annotations['enforce-policy'] = levelVersionString(policy.enforce);
      const r = resultFor(policy.enforce);
      if (!r.allowed) {
        refusal = errors.forbiddenResource(a.resource.group, a.resource.resource, a.name,
          `violates PodSecurity "${levelVersionString(policy.enforce)}": ${forbiddenDetail(r)}`);
      }
    }
    const audit = resultFor(policy.audit);
    if (!audit.allowed) annotations['audit-violations'] = `would violate PodSecurity "${levelVersionString(policy.audit)}": ${forbiddenDetail(audit)}`;
    if (!refusal) {
      const warn = resultFor(policy.warn);
      if (!warn.allowed) a.warnings?.push(`would violate PodSecurity "${levelVersionString(policy.warn)}": ${forbiddenDetail(warn)}`);
    }
    for (const [k, v] of Object.entries(annotations)) a.annotate?.(`${auditAnnotationPrefix}${k}`, v);
    if (refusal) throw refusal;
  }

  /** kube's EvaluatePodsInNamespace: one warning per distinct violation, naming the first pod and how many others. */
  private async evaluatePodsInNamespace(namespace: string, enforce: LevelVersion): Promise<string[]> {
    let pods: KubeObject[];
    try {
      pods = await this.reads.pods(namespace);
    } catch {
      return ['failed to list pods while checking new PodSecurity enforce level'];
    }
    const prioritized = this.prioritizePods(pods as Obj[]);
    const total = prioritized.length;
    const checked = prioritized.slice(0, namespaceMaxPodsToCheck);
    const counts = new Map<string, { podName: string; podCount: number }>();
    const podWarnings: string[] = [];
    for (const pod of checked) {
      const r = aggregate(evaluatePod(enforce, pod.metadata ?? {}, pod.spec ?? {}));
      if (r.allowed) continue;
      const warning = forbiddenReason(r);
      const c = counts.get(warning);
      if (!c) {
        podWarnings.push(warning);
        counts.set(warning, { podName: pod.metadata.name, podCount: 1 });
      } else {
        if (pod.metadata.name < c.podName) c.podName = pod.metadata.name;
        c.podCount++;
      }
    }
    const warnings: string[] = [];
    if (checked.length < total) warnings.push(`new PodSecurity enforce level only checked against the first ${checked.length} of ${total} existing pods`);
    if (podWarnings.length) warnings.push(`existing pods in namespace "${namespace}" violate the new PodSecurity enforce level "${levelVersionString(enforce)}"`);
    const decorated = podWarnings.map((w) => {
      const c = counts.get(w)!;
      if (c.podCount === 1) return `${c.podName}: ${w}`;
      if (c.podCount === 2) return `${c.podName} (and 1 other pod): ${w}`;
      return `${c.podName} (and ${c.podCount - 1} other pods): ${w}`;
    });
    decorated.sort();
    return [...warnings, ...decorated];
  }

  /** Pods without a controller, and one pod per controller, before the other replicas (kube's prioritizePods). */
  private prioritizePods(pods: Obj[]): Obj[] {
    const first: Obj[] = [];
    const duplicates: Obj[] = [];
    const seen = new Set<string>();
    for (const pod of pods) {
      if (pod.spec?.runtimeClassName && this.config.exemptions.runtimeClasses.includes(pod.spec.runtimeClassName)) continue;
      const controller = ((pod.metadata?.ownerReferences ?? []) as Obj[]).find((r) => r.controller === true);
      if (!controller) first.push(pod);
      else if (seen.has(controller.uid)) duplicates.push(pod);
      else {
        seen.add(controller.uid);
        first.push(pod);
      }
    }
    return [...first, ...duplicates];
  }

  /** Exempt namespaces and users skip every check; the audit event says why. */
  private exempt(a: AdmissionAttributes): boolean {
    if (this.exemptNamespace(a.namespace)) {
      a.annotate?.(`${auditAnnotationPrefix}exempt`, 'namespace');
      return true;
    }
    const user = a.user?.name;
    if (user && this.config.exemptions.usernames.includes(user)) {
      a.annotate?.(`${auditAnnotationPrefix}exempt`, 'user');
      return true;
    }
    return false;
  }

  private exemptNamespace(namespace: string): boolean {
    return Boolean(namespace) && this.config.exemptions.namespaces.includes(namespace);
  }

  /** A pod's namespace; missing, pods are refused (500) as kube does, controllers pass. */
  private async namespaceOf(a: AdmissionAttributes, required: boolean): Promise<KubeObject | undefined> {
    const ns = await this.reads.namespace(a.namespace);
    if (!ns && required) throw errors.internal(`failed to lookup namespace "${a.namespace}"`);
    if (!ns) a.annotate?.(`${auditAnnotationPrefix}error`, `failed to lookup namespace "${a.namespace}": namespaces "${a.namespace}" not found`);
    return ns;
  }

  /** kube's exemptNamespaceWarning: the levels a label asked for that an exempt namespace ignores. */
  private warnExempt(a: AdmissionAttributes, name: string, policy: Policy, nsLabels: Record<string, string> | undefined): void {
    if (!this.exemptNamespace(name) || fullyPrivileged(policy) || equivalentPolicies(policy, this.config.defaults)) return;
    const has = (k: string) => Object.hasOwn(nsLabels ?? {}, k);
    const parts: string[] = [];
    if (policy.enforce.level !== 'privileged' && (has(labels.enforce) || has(labels.enforceVersion))) parts.push(`enforce=${levelVersionString(policy.enforce)}`);
    if (policy.audit.level !== 'privileged' && (has(labels.audit) || has(labels.auditVersion))) parts.push(`audit=${levelVersionString(policy.audit)}`);
    if (policy.warn.level !== 'privileged' && (has(labels.warn) || has(labels.warnVersion))) parts.push(`warn=${levelVersionString(policy.warn)}`);
    a.warnings?.push(`namespace "${name}" is exempt from Pod Security, and the policy (${parts.join(', ')}) will be ignored`);
  }
}

const sameVersion = (a: LevelVersion, b: LevelVersion) => a.version.latest === b.version.latest && a.version.minor === b.version.minor;

/** The label errors as kube's aggregate prints them in the audit annotation. */
function policyError(errs: { field: string; detailMessage(): string }[]): string {
  const parts = errs.map((e) => `${e.field}: ${e.detailMessage()}`);
  return parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
}

/** Only an image change (or a new ephemeral container) can make a running pod violate a level (kube's isSignificantPodUpdate). */
function significantPodUpdate(pod: Obj, old: Obj | undefined): boolean {
  const spec = pod.spec ?? {};
  const oldSpec = old?.spec ?? {};
  const list = (s: Obj, k: string): Obj[] => s[k] ?? [];
  for (const k of ['containers', 'initContainers']) {
    const now = list(spec, k);
    const before = list(oldSpec, k);
    if (now.length !== before.length) return true;
    if (now.some((c, i) => c.image !== before[i].image)) return true;
  }
  for (const c of list(spec, 'ephemeralContainers')) {
    const before = list(oldSpec, 'ephemeralContainers').find((o) => o.name === c.name);
    if (!before || before.image !== c.image) return true;
  }
  return false;
}
