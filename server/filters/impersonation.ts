// Impersonation (kube's WithImpersonation): Impersonate-User (a service account's name is
// impersonated as that service account), Impersonate-Group, Impersonate-Uid and
// Impersonate-Extra-<key>, each authorized with the `impersonate` verb for the requesting user;
// the request then acts as the impersonated user (Exchange.user), the authenticated one is kept
// for the audit (Exchange.authenticatedUser).
import { errors } from '../api/errors.js';
import { serviceAccountGroups, serviceAccountUsername, splitServiceAccountUsername } from '../authentication/serviceaccount/user.js';
import { anonymousUserName, authenticatedGroup, type UserInfo, unauthenticatedGroup } from '../authentication/user.js';
import type { Attributes, Authorizer } from '../authorization/authorizer.js';
import { decodeURIComponentSafe, type Exchange } from '../http/exchange.js';
import type { Filter } from './chain.js';
import { forbidden } from './authorization.js';

/** One thing to impersonate, as kube's ObjectReference of its impersonation requests. */
interface Target {
  kind: 'ServiceAccount' | 'User' | 'Group' | 'UserExtra' | 'UID';
  namespace?: string;
  name: string;
  apiVersion?: string;
  fieldPath?: string;
}

const extraPrefix = 'impersonate-extra-';

export function impersonation(authorizer: Authorizer): Filter {
  return {
    name: 'impersonation',
    async filter(ex, next) {
      const targets = impersonationTargets(ex);
      if (!targets.length) return next();
      const requestor = ex.user!;
      const groupsSpecified = ex.headerValues('impersonate-group').length > 0;
      let name = '';
      let groups: string[] = [];
      let uid = '';
      const extra: Record<string, string[]> = {};
      for (const t of targets) {
        const attrs: Attributes = {
          user: requestor, verb: 'impersonate', isResourceRequest: true, path: ex.path, namespace: t.namespace ?? '',
          apiGroup: t.apiVersion ? 'authentication.k8s.io' : '', apiVersion: t.apiVersion ? 'v1' : '', resource: '', subresource: '', name: t.name,
        };
        switch (t.kind) {
          case 'ServiceAccount':
            attrs.resource = 'serviceaccounts';
            name = serviceAccountUsername(t.namespace!, t.name);
            if (!groupsSpecified) groups = serviceAccountGroups(t.namespace!);
            break;
          case 'User':
            attrs.resource = 'users';
            name = t.name;
            break;
          case 'Group':
            attrs.resource = 'groups';
            groups.push(t.name);
            break;
          case 'UserExtra':
            attrs.resource = 'userextras';
            attrs.subresource = t.fieldPath!;
            (extra[t.fieldPath!] ??= []).push(t.name);
            break;
          case 'UID':
            attrs.resource = 'uids';
            uid = t.name;
            break;
        }
        const d = authorizer.authorize(attrs);
        if (d.decision !== 'allow') throw forbidden(attrs, d.reason);
      }
      if (name !== anonymousUserName) {
        if (!groups.includes(authenticatedGroup) && !groups.includes(unauthenticatedGroup)) groups.push(authenticatedGroup);
      } else if (!groups.includes(unauthenticatedGroup)) groups.push(unauthenticatedGroup);
      const user: UserInfo = { name, groups, ...(uid ? { uid } : {}), ...(Object.keys(extra).length ? { extra } : {}) };
      ex.user = user;
      for (const h of Object.keys(ex.headers)) if (h.startsWith('impersonate-')) delete ex.headers[h];
      await next();
    },
  };
}

/** kube's buildImpersonationRequests: what the headers ask for; groups, extra or uid without a user is 400. */
function impersonationTargets(ex: Exchange): Target[] {
  const targets: Target[] = [];
  const requested = ex.headerValues('impersonate-user')[0] ?? '';
  if (requested) {
    const sa = splitServiceAccountUsername(requested);
    targets.push(sa ? { kind: 'ServiceAccount', ...sa } : { kind: 'User', name: requested });
  }
  const hasUser = targets.length > 0;
  for (const g of ex.headerValues('impersonate-group')) targets.push({ kind: 'Group', name: g });
  for (const h of Object.keys(ex.headers)) {
    if (!h.startsWith(extraPrefix)) continue;
    const key = decodeURIComponentSafe(h.slice(extraPrefix.length).toLowerCase());
    for (const v of ex.headerValues(h)) targets.push({ kind: 'UserExtra', apiVersion: 'authentication.k8s.io/v1', name: v, fieldPath: key });
  }
  const uid = ex.headerValues('impersonate-uid')[0] ?? '';
  if (uid) targets.push({ kind: 'UID', name: uid, apiVersion: 'authentication.k8s.io/v1' });
  if (targets.length && !hasUser) {
    // Go's %v of the ObjectReferences: {Kind Namespace Name UID APIVersion ResourceVersion FieldPath}.
    const shown = targets.map((t) => `{${[t.kind, t.namespace ?? '', t.name, '', t.apiVersion ?? '', '', t.fieldPath ?? ''].join(' ')}}`).join(' ');
    throw errors.badRequest(`requested [${shown}] without impersonating a user`);
  }
  return targets;
}
