// The impersonation filter as kube's WithImpersonation: what each header asks, the impersonate checks,
// the user the request then acts as, and the 400 for groups without a user.
import { describe, expect, it } from 'vitest';
import type { Attributes } from '../../server/authorization/authorizer.js';
import { impersonation } from '../../server/filters/impersonation.js';
import type { Exchange } from '../../server/http/exchange.js';

function exchange(headers: Record<string, string[]>): Exchange {
  const flat: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) flat[k] = v.join(', ');
  return {
    path: '/api/v1/pods', headers: flat, headerValues: (n: string) => headers[n] ?? [],
    user: { name: 'admin', groups: ['system:authenticated'] },
  } as unknown as Exchange;
}

describe('impersonation', () => {
  const asked: Attributes[] = [];
  const allowAll = impersonation({ authorize: (a) => { asked.push(a); return { decision: 'allow', reason: '' }; } });

  it('acts as the user, groups, uid and extra asked for, each checked with the impersonate verb', async () => {
    asked.length = 0;
    const ex = exchange({ 'impersonate-user': ['jane'], 'impersonate-group': ['dev', 'ops'], 'impersonate-uid': ['u-1'], 'impersonate-extra-scopes%2fa': ['x'] });
    let reached = false;
    await allowAll.filter(ex, async () => { reached = true; });
    expect(reached).toBe(true);
    expect(ex.user).toEqual({ name: 'jane', groups: ['dev', 'ops', 'system:authenticated'], uid: 'u-1', extra: { 'scopes/a': ['x'] } });
    expect(asked.map((a) => [a.verb, a.apiGroup, a.resource, a.subresource, a.name])).toEqual([
      ['impersonate', '', 'users', '', 'jane'], ['impersonate', '', 'groups', '', 'dev'], ['impersonate', '', 'groups', '', 'ops'],
      ['impersonate', 'authentication.k8s.io', 'userextras', 'scopes/a', 'x'], ['impersonate', 'authentication.k8s.io', 'uids', '', 'u-1'],
    ]);
    expect(ex.headers['impersonate-user']).toBeUndefined();
  });

  it('a service account\'s user name impersonates the service account, with its groups', async () => {
    asked.length = 0;
    const ex = exchange({ 'impersonate-user': ['system:serviceaccount:team:bot'] });
    await allowAll.filter(ex, async () => undefined);
    expect(asked[0]).toMatchObject({ resource: 'serviceaccounts', namespace: 'team', name: 'bot' });
    expect(ex.user!.groups).toEqual(['system:serviceaccounts', 'system:serviceaccounts:team', 'system:authenticated']);
  });

  it('groups without a user are 400, as kube words it', async () => {
    await expect(allowAll.filter(exchange({ 'impersonate-group': ['dev'] }), async () => undefined))
      .rejects.toMatchObject({ code: 400, message: 'requested [{Group  dev    }] without impersonating a user' });
  });

  it('a denied target is 403 naming it', async () => {
    const denyAll = impersonation({ authorize: () => ({ decision: 'no-opinion', reason: '' }) });
    await expect(denyAll.filter(exchange({ 'impersonate-user': ['root'] }), async () => undefined)).rejects.toMatchObject({
      code: 403, message: 'users "root" is forbidden: User "admin" cannot impersonate resource "users" in API group "" at the cluster scope',
    });
  });

  it('no impersonation headers: the request goes on as it was', async () => {
    const ex = exchange({});
    await allowAll.filter(ex, async () => undefined);
    expect(ex.user).toEqual({ name: 'admin', groups: ['system:authenticated'] });
  });
});
