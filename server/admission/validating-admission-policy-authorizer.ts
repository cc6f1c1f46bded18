// The CEL `authorizer` variable (kube's cel/library/authz): authorizer.group(g).resource(r)
// [.subresource(s)][.namespace(ns)][.name(n)].check(verb), authorizer.path(p).check(verb),
// authorizer.serviceAccount(ns, name), authorizer.requestResource; a Decision answers allowed(),
// reason(), errored(), error(). Each value is a CEL map tagged with its kind; the authorizer it asks
// is found by the number the map carries (one per plugin), as a map cannot hold a JavaScript object.
import { CelScalar, celMethod, type CelFunc, mapType } from '@bufbuild/cel';
import type { UserInfo } from '../authentication/user.js';
import type { Authorizer } from '../authorization/authorizer.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
/** A CEL map's entries (CelInput values; typed loosely, as the values are built here). */
type Entries = Map<string, any>;
interface CelMapLike { get(key: string): unknown }

const kindKey = '@authz';
const authorizers = new Map<bigint, Authorizer>();
let nextId = 1n;

/** Makes `authorizer` available to the expressions of one plugin; the returned function forgets it. */
export function registerAuthorizer(authorizer: Authorizer): { id: bigint; unregister: () => void } {
  const id = nextId++;
  authorizers.set(id, authorizer);
  return { id, unregister: () => authorizers.delete(id) };
}

/** The `authorizer` binding for a request by `user` on the request's resource. */
export function authorizerValue(id: bigint, user: UserInfo, request: { group: string; resource: string; subresource: string; namespace: string; name: string }): Entries {
  const base = identity(id, user);
  return new Map<string, any>([...base, [kindKey, 'authorizer'], ['requestResource', new Map<string, any>([...base, [kindKey, 'resource'],
    ['group', request.group], ['resource', request.resource], ['subresource', request.subresource], ['namespace', request.namespace], ['name', request.name]])]]);
}

function identity(id: bigint, user: UserInfo): Entries {
  return new Map<string, any>([['@id', id], ['@user', user.name], ['@uid', user.uid ?? ''], ['@groups', [...user.groups]]]);
}

/** The identity entries of a value, carried into the values made from it. */
function carried(m: CelMapLike): Entries {
  const groups = m.get('@groups') as Iterable<unknown>;
  return new Map<string, any>([['@id', m.get('@id')], ['@user', m.get('@user')], ['@uid', m.get('@uid')], ['@groups', [...groups].map(String)]]);
}

const M = mapType(CelScalar.STRING, CelScalar.DYN);
const is = (m: CelMapLike, kind: string) => m.get(kindKey) === kind;

function derive(m: CelMapLike, kind: string, fields: Record<string, string>): Entries {
  const out = carried(m);
  out.set(kindKey, kind);
  for (const k of ['group', 'resource', 'subresource', 'namespace', 'name', 'path']) if (m.get(k) !== undefined) out.set(k, m.get(k));
  for (const [k, v] of Object.entries(fields)) out.set(k, v);
  return out;
}

function wrongReceiver(method: string, want: string): Error {
  return new Error(`no such overload: ${method} applies to ${want}`);
}

function decide(m: CelMapLike, verb: string, resourceRequest: boolean): Entries {
  const authorizer = authorizers.get(m.get('@id') as bigint);
  const out = new Map<string, any>([[kindKey, 'decision']]);
  if (!authorizer) return out.set('allowed', false).set('reason', '').set('error', 'no authorizer');
  const str = (k: string) => String(m.get(k) ?? '');
  const user: UserInfo = { name: str('@user'), uid: str('@uid') || undefined, groups: [...(m.get('@groups') as Iterable<unknown>)].map(String) };
  try {
    const d = authorizer.authorize(resourceRequest
      ? { user, verb, isResourceRequest: true, path: '', namespace: str('namespace'), apiGroup: str('group'), apiVersion: '*', resource: str('resource'), subresource: str('subresource'), name: str('name') }
      : { user, verb, isResourceRequest: false, path: str('path'), namespace: '', apiGroup: '', apiVersion: '', resource: '', subresource: '', name: '' });
    return out.set('allowed', d.decision === 'allow').set('reason', d.reason).set('error', '');
  } catch (e) {
    return out.set('allowed', false).set('reason', '').set('error', (e as Error).message);
  }
}

export const authzFuncs: CelFunc[] = [
  celMethod('group', M, [CelScalar.STRING], M, function (group) {
    if (!is(this, 'authorizer')) throw wrongReceiver('group', 'Authorizer');
    return derive(this, 'group', { group });
  }),
  celMethod('path', M, [CelScalar.STRING], M, function (path) {
    if (!is(this, 'authorizer')) throw wrongReceiver('path', 'Authorizer');
    return derive(this, 'path', { path });
  }),
  celMethod('serviceAccount', M, [CelScalar.STRING, CelScalar.STRING], M, function (namespace, name) {
    if (!is(this, 'authorizer')) throw wrongReceiver('serviceAccount', 'Authorizer');
    const user: UserInfo = { name: `system:serviceaccount:${namespace}:${name}`, groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`] };
    return new Map<string, any>([...identity(this.get('@id') as bigint, user), [kindKey, 'authorizer']]);
  }),
  celMethod('resource', M, [CelScalar.STRING], M, function (resource) {
    if (!is(this, 'group')) throw wrongReceiver('resource', 'GroupCheck');
    return derive(this, 'resource', { resource });
  }),
  ...(['subresource', 'namespace', 'name'] as const).map((field) => celMethod(field, M, [CelScalar.STRING], M, function (value) {
    if (!is(this, 'resource')) throw wrongReceiver(field, 'ResourceCheck');
    return derive(this, 'resource', { [field]: value });
  })),
  celMethod('check', M, [CelScalar.STRING], M, function (verb) {
    if (is(this, 'resource')) return decide(this, verb, true);
    if (is(this, 'path')) return decide(this, verb, false);
    throw wrongReceiver('check', 'ResourceCheck or PathCheck');
  }),
  ...(['allowed', 'errored', 'reason', 'error'] as const).map((field) => celMethod(field, M, [], field === 'allowed' || field === 'errored' ? CelScalar.BOOL : CelScalar.STRING, function () {
    if (!is(this, 'decision')) throw wrongReceiver(field, 'Decision');
    if (field === 'errored') return this.get('error') !== '';
    return this.get(field) as never;
  })),
];
