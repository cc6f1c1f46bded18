// The authorizer chain from --authorization-mode, in order, as kube's union: the first allow or
// deny decides; no opinion passes on. Members of system:masters are allowed before any mode is asked.
import type { ServerConfig } from '../config.js';
import type { SecurityDeps } from '../security.js';
import { mastersGroup } from '../authentication/user.js';
import { PolicyWatcher } from './rbac/watcher.js';
import { RBACAuthorizer } from './rbac/rbac.js';
import { allow, type Attributes, type Authorizer, deny, type Decision, noOpinion, type RuleResolver } from './authorizer.js';

export interface AuthorizationParts {
  authorizer: Authorizer;
  ruleResolver: RuleResolver;
  start(): Promise<void>;
  stop(): Promise<void>;
}

interface Mode {
  authorizer: Authorizer;
  ruleResolver: RuleResolver;
  start?(): Promise<void>;
  stop?(): Promise<void>;
}

const alwaysAllow: Mode = {
  authorizer: { authorize: () => allow() },
  ruleResolver: { rulesFor: () => ({ resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }], incomplete: false }) },
};

const alwaysDeny: Mode = {
  authorizer: { authorize: () => deny('Everything is forbidden.') },
  ruleResolver: { rulesFor: () => ({ resourceRules: [], nonResourceRules: [], incomplete: false }) },
};

/** kube's privileged-group authorizer: system:masters may do anything, whatever the other modes say. */
const privilegedGroup: Authorizer = {
  authorize: (a: Attributes): Decision => (a.user.groups.includes(mastersGroup) ? allow() : noOpinion()),
};

export function buildAuthorizer(config: ServerConfig, deps: SecurityDeps): AuthorizationParts {
  const modes: Mode[] = [];
  for (const name of config.security.authorizationModes) {
    if (name === 'AlwaysAllow') modes.push(alwaysAllow);
    else if (name === 'AlwaysDeny') modes.push(alwaysDeny);
    else if (name === 'RBAC') modes.push(rbacMode(deps));
    // Node: the node authorizer is not served; kubelets (kwok) are authorized by RBAC's system:node rules.
  }
  const authorizers = [privilegedGroup, ...modes.map((m) => m.authorizer)];
  return {
    authorizer: {
      authorize(attrs) {
        const reasons: string[] = [];
        for (const a of authorizers) {
          const d = a.authorize(attrs);
          if (d.decision !== 'no-opinion') return d;
          if (d.reason) reasons.push(d.reason);
        }
        return noOpinion(reasons.join(', '));
      },
    },
    ruleResolver: {
      rulesFor(user, namespace) {
        const out = { resourceRules: [] as ReturnType<RuleResolver['rulesFor']>['resourceRules'], nonResourceRules: [] as ReturnType<RuleResolver['rulesFor']>['nonResourceRules'], incomplete: false, evaluationError: undefined as string | undefined };
        // No shortcut for system:masters: as in kube, its rules are what the modes list (RBAC: cluster-admin's binding).
        for (const m of modes) {
          const r = m.ruleResolver.rulesFor(user, namespace);
          out.resourceRules.push(...r.resourceRules);
          out.nonResourceRules.push(...r.nonResourceRules);
          out.incomplete ||= r.incomplete;
          if (r.evaluationError) out.evaluationError = r.evaluationError;
        }
        return out;
      },
    },
    start: async () => { await Promise.all(modes.map((m) => m.start?.())); },
    stop: async () => { await Promise.all(modes.map((m) => m.stop?.())); },
  };
}

/** RBAC: kube's RBAC authorizer over the policy the watcher keeps in memory; start() waits for its first full read. */
function rbacMode(deps: SecurityDeps): Mode {
  const watcher = new PolicyWatcher(deps.store, deps.types);
  const rbac = new RBACAuthorizer(watcher.index, () => watcher.synced);
  return { authorizer: rbac, ruleResolver: rbac, start: () => watcher.start(), stop: async () => watcher.stop() };
}
