// kube's RBAC authorizer over the in-memory policy: allow when a rule of a binding that applies to
// the user grants the request, else no opinion (with the roles that could not be found as the reason).
// Until the policy has been read once it has no opinion at all rather than guess from half a policy.
import type { UserInfo } from '../../authentication/user.js';
import { allow, type Attributes, type Authorizer, type Decision, type NonResourceRuleInfo, noOpinion, type ResourceRuleInfo, type RuleResolver } from '../authorizer.js';
import type { PolicyIndex } from './policy-index.js';
import { ruleAllows } from './rules.js';

/** Go's utilerrors.NewAggregate(...).Error(). */
export const aggregate = (errs: string[]): string => (errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`);

export class RBACAuthorizer implements Authorizer, RuleResolver {
  constructor(private readonly index: PolicyIndex, private readonly synced: () => boolean = () => true) {}

  authorize(a: Attributes): Decision {
    if (!this.synced()) return noOpinion();
    let allowedBy: string | undefined;
    const errs = this.index.visitRules(a.user, a.namespace, (source, rule) => {
      if (!ruleAllows(a, rule)) return true;
      allowedBy = source();
      return false;
    }, { skipRepeatedRoles: true });
    if (allowedBy) return allow(`RBAC: allowed by ${allowedBy}`);
    return noOpinion(errs.length ? `RBAC: ${aggregate(errs)}` : '');
  }

  rulesFor(user: UserInfo, namespace: string): ReturnType<RuleResolver['rulesFor']> {
    if (!this.synced()) return { resourceRules: [], nonResourceRules: [], incomplete: true, evaluationError: 'RBAC: the policy has not been read yet' };
    const { rules, errors } = this.index.rulesFor(user, namespace);
    const resourceRules: ResourceRuleInfo[] = [];
    const nonResourceRules: NonResourceRuleInfo[] = [];
    for (const r of rules) {
      if ((r.nonResourceURLs ?? []).length) nonResourceRules.push({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs! });
      else {
        const info: ResourceRuleInfo = { verbs: r.verbs };
        if (r.apiGroups?.length) info.apiGroups = r.apiGroups;
        if (r.resources?.length) info.resources = r.resources;
        if (r.resourceNames?.length) info.resourceNames = r.resourceNames;
        resourceRules.push(info);
      }
    }
    return { resourceRules, nonResourceRules, incomplete: false, evaluationError: errors.length ? aggregate(errors) : undefined };
  }
}
