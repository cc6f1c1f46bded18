// The user a service-account token stands for (kube's serviceaccount.ServiceAccountInfo.UserInfo).
import { isDNS1123Label, isDNS1123Subdomain } from '../../validation/names.js';
import type { UserInfo } from '../user.js';

export const serviceAccountUsernamePrefix = 'system:serviceaccount:';
export const allServiceAccountsGroup = 'system:serviceaccounts';

export interface ServiceAccountInfo {
  namespace: string;
  name: string;
  uid: string;
  podName?: string;
  podUID?: string;
  nodeName?: string;
  nodeUID?: string;
  /** "JTI=<jti>" for a token with a jti. */
  credentialID?: string;
}

export function serviceAccountUsername(namespace: string, name: string): string {
  return `${serviceAccountUsernamePrefix}${namespace}:${name}`;
}

/** The groups every service account of a namespace is in (kube's serviceaccount.MakeGroupNames). */
export function serviceAccountGroups(namespace: string): string[] {
  return [allServiceAccountsGroup, `${allServiceAccountsGroup}:${namespace}`];
}

/**
 * The namespace and name of a service account's user name, both valid names (kube's
 * serviceaccount.SplitUsername); undefined for any other user name.
 */
export function splitServiceAccountUsername(username: string): { namespace: string; name: string } | undefined {
  if (!username.startsWith(serviceAccountUsernamePrefix)) return undefined;
  const parts = username.slice(serviceAccountUsernamePrefix.length).split(':');
  if (parts.length !== 2) return undefined;
  const [namespace, name] = parts;
  if (isDNS1123Label(namespace).length || isDNS1123Subdomain(name).length) return undefined;
  return { namespace, name };
}

export function serviceAccountUser(sa: ServiceAccountInfo): UserInfo {
  const extra: Record<string, string[]> = {};
  if (sa.podName) extra['authentication.kubernetes.io/pod-name'] = [sa.podName];
  if (sa.podUID) extra['authentication.kubernetes.io/pod-uid'] = [sa.podUID];
  if (sa.nodeName) extra['authentication.kubernetes.io/node-name'] = [sa.nodeName];
  if (sa.nodeUID) extra['authentication.kubernetes.io/node-uid'] = [sa.nodeUID];
  if (sa.credentialID) extra['authentication.kubernetes.io/credential-id'] = [sa.credentialID];
  const user: UserInfo = {
    name: serviceAccountUsername(sa.namespace, sa.name),
    uid: sa.uid,
    groups: serviceAccountGroups(sa.namespace),
  };
  if (Object.keys(extra).length) user.extra = extra;
  return user;
}
