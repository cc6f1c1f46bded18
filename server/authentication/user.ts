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
