// The authorizer vocabulary, as kube's authorizer.Attributes/Decision: what is asked, by whom, and
// the answer. Authorizers decide from memory (the RBAC index), so the call is synchronous.
import type { UserInfo } from '../authentication/user.js';

export interface Attributes {
  user: UserInfo;
  /** get, list, watch, create, update, patch, delete, deletecollection, impersonate, escalate, bind...; the lower-case method for non-resource paths. */
  verb: string;
  isResourceRequest: boolean;
  /** The request path (non-resource requests are authorized on it). */
  path: string;
  namespace: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  name: string;
}

export type DecisionKind = 'allow' | 'deny' | 'no-opinion';

export interface Decision {
  decision: DecisionKind;
  /** Why: appended to the 403 message when not empty. */
  reason: string;
}

export interface Authorizer {
  authorize(attrs: Attributes): Decision;
}

/** One resource rule as SelfSubjectRulesReview reports it. */
export interface ResourceRuleInfo {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}

export interface NonResourceRuleInfo {
  verbs: string[];
  nonResourceURLs: string[];
}

/** What a user may do in a namespace (SelfSubjectRulesReview); `incomplete` when an authorizer cannot list its rules. */
export interface RuleResolver {
  rulesFor(user: UserInfo, namespace: string): { resourceRules: ResourceRuleInfo[]; nonResourceRules: NonResourceRuleInfo[]; incomplete: boolean; evaluationError?: string };
}

export const allow = (reason = ''): Decision => ({ decision: 'allow', reason });
export const deny = (reason = ''): Decision => ({ decision: 'deny', reason });
export const noOpinion = (reason = ''): Decision => ({ decision: 'no-opinion', reason });

/** What the registry asks on a write (the RBAC escalation and bind checks): the authorizer chain and its rules. */
export interface AuthorizationServices {
  authorizer: Authorizer;
  ruleResolver: RuleResolver;
}
