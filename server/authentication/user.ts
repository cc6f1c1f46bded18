// Who a request is made by, as kube's user.Info: name, uid, groups and extra, set by authentication
// (and replaced by impersonation) and read by audit, authorization and the registry.

export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export const anonymousUserName = 'system:anonymous';
export const unauthenticatedGroup = 'system:unauthenticated';
export const authenticatedGroup = 'system:authenticated';
/** The privileged group: every request of its members is allowed (kube's privileged-group authorizer). */
export const mastersGroup = 'system:masters';

export const anonymousUser: UserInfo = { name: anonymousUserName, groups: [unauthenticatedGroup] };

/** kube's authenticator union adds system:authenticated to every user it authenticated (never to the anonymous one). */
export function withAuthenticatedGroup(user: UserInfo): UserInfo {
  if (user.name === anonymousUserName || user.groups.includes(authenticatedGroup)) return user;
  return { ...user, groups: [...user.groups, authenticatedGroup] };
}

/** authentication.k8s.io/v1 UserInfo as kube serializes it (empty fields left out): TokenReview, SelfSubjectReview, audit events. */
export interface APIUserInfo {
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

export function apiUserInfo(u: UserInfo): APIUserInfo {
  const out: APIUserInfo = { username: u.name };
  if (u.uid) out.uid = u.uid;
  if (u.groups.length) out.groups = [...u.groups];
  if (u.extra && Object.keys(u.extra).length) out.extra = u.extra;
  return out;
}
