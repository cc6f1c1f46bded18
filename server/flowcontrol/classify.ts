// Which FlowSchema a request matches (kube's apf rule.go): subjects, then resource or non-resource rules;
// and the flow distinguisher its schema asks for.
import type { UserInfo } from '../authentication/user.js';
import type { RequestInfo } from '../http/request-info.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

/** What classification looks at: kube's RequestDigest. */
export interface RequestDigest {
  info: RequestInfo;
  user: UserInfo;
}

const serviceAccountPrefix = 'system:serviceaccount:';

function matchesSubject(s: Obj, user: UserInfo): boolean {
  switch (s.kind) {
    case 'User': return s.user?.name === '*' || s.user?.name === user.name;
    case 'Group': return s.group?.name === '*' || user.groups.includes(s.group?.name);
    case 'ServiceAccount': {
      const sa = s.serviceAccount as Obj | undefined;
      if (!sa) return false;
      // kube's serviceaccount.MatchesUsername, with '*' for any name in the namespace.
      return sa.name === '*'
        ? user.name.startsWith(`${serviceAccountPrefix}${sa.namespace}:`)
        : user.name === `${serviceAccountPrefix}${sa.namespace}:${sa.name}`;
    }
    default: return false;
  }
}

const hasOrAll = (list: string[] | undefined, v: string) => !!list && (list.includes('*') || list.includes(v));

function matchesResourceRule(r: Obj, info: RequestInfo): boolean {
  if (!hasOrAll(r.verbs, info.verb) || !hasOrAll(r.apiGroups, info.apiGroup)) return false;
  const resource = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
  if (!hasOrAll(r.resources, resource)) return false;
  return info.namespace === '' ? Boolean(r.clusterScope) : hasOrAll(r.namespaces, info.namespace);
}

function matchesNonResourceURL(url: string, path: string): boolean {
  if (url === '*' || url === path) return true;
  return url.endsWith('*') && path.startsWith(url.slice(0, -1));
}

function matchesNonResourceRule(r: Obj, info: RequestInfo): boolean {
  return hasOrAll(r.verbs, info.verb) && ((r.nonResourceURLs ?? []) as string[]).some((u) => matchesNonResourceURL(u, info.path));
}

/** kube's matchesFlowSchema: any of its rules whose subjects name the user and whose rules name the request. */
export function matchesFlowSchema(d: RequestDigest, fs: Obj): boolean {
  return ((fs.spec?.rules ?? []) as Obj[]).some((rule) => {
    if (!((rule.subjects ?? []) as Obj[]).some((s) => matchesSubject(s, d.user))) return false;
    return d.info.isResourceRequest
      ? ((rule.resourceRules ?? []) as Obj[]).some((r) => matchesResourceRule(r, d.info))
      : ((rule.nonResourceRules ?? []) as Obj[]).some((r) => matchesNonResourceRule(r, d.info));
  });
}

/** kube's computeFlowDistinguisher: ByUser the user's name, ByNamespace the request's namespace, else none. */
export function flowDistinguisher(d: RequestDigest, fs: Obj): string {
  switch (fs.spec?.distinguisherMethod?.type) {
    case 'ByUser': return d.user.name;
    case 'ByNamespace': return d.info.namespace;
    default: return '';
  }
}
