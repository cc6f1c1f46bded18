import { describe, expect, it } from 'vitest';
import { requestInfo } from '../../server/http/request-info.js';
import { compareVersions } from '../../server/discovery/discovery.js';
import { humanDuration } from '../../server/table/format.js';

const q = (s = '') => new URLSearchParams(s);

describe('request info', () => {
  it.each([
    ['GET', '/api/v1/namespaces/ns1/pods/p1', '', { verb: 'get', apiGroup: '', apiVersion: 'v1', namespace: 'ns1', resource: 'pods', name: 'p1' }],
    ['GET', '/api/v1/namespaces/ns1/pods', '', { verb: 'list', namespace: 'ns1', resource: 'pods', name: '' }],
    ['GET', '/api/v1/pods', 'watch=true', { verb: 'watch', resource: 'pods', namespace: '' }],
    ['GET', '/api/v1/watch/namespaces/ns1/pods/p1', '', { verb: 'watch', namespace: 'ns1', resource: 'pods', name: 'p1' }],
    ['GET', '/api/v1/namespaces/ns1', '', { verb: 'get', resource: 'namespaces', name: 'ns1', namespace: '' }],
    ['PUT', '/api/v1/namespaces/ns1/status', '', { verb: 'update', resource: 'namespaces', name: 'ns1', subresource: 'status' }],
    ['PATCH', '/apis/apps/v1/namespaces/ns1/deployments/web/scale', '', { verb: 'patch', apiGroup: 'apps', resource: 'deployments', name: 'web', subresource: 'scale' }],
    ['DELETE', '/apis/apps/v1/namespaces/ns1/deployments', '', { verb: 'deletecollection', resource: 'deployments' }],
    ['POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', '', { verb: 'create', apiGroup: 'rbac.authorization.k8s.io', resource: 'clusterroles' }],
  ])('%s %s?%s', (method, path, query, want) => {
    const info = requestInfo(method, path, q(query));
    expect(info.isResourceRequest).toBe(true);
    expect(info).toMatchObject(want);
  });
  it('discovery paths are not resource requests', () => {
    expect(requestInfo('GET', '/apis/apps/v1', q()).isResourceRequest).toBe(false);
    expect(requestInfo('GET', '/api', q()).isResourceRequest).toBe(false);
  });
});

describe('version priority and ages', () => {
  it('sorts versions as Kubernetes does', () => {
    expect(['v1beta1', 'v1', 'v2', 'v1alpha1', 'v2beta2', 'v10'].sort(compareVersions)).toEqual(['v10', 'v2', 'v1', 'v2beta2', 'v1beta1', 'v1alpha1']);
  });
  it('prints ages like kubectl', () => {
    expect(humanDuration(5_000)).toBe('5s');
    expect(humanDuration(200_000)).toBe('3m20s');
    expect(humanDuration(15 * 60_000)).toBe('15m');
    expect(humanDuration(5 * 3600_000 + 30 * 60_000)).toBe('5h30m');
    expect(humanDuration(3 * 86400_000 + 3600_000)).toBe('3d1h');
    expect(humanDuration(400 * 86400_000)).toBe('400d');
  });
});
