// The aggregation layer's pure parts: the authentication ConfigMap's data as kube combines it, the
// identity headers (client-go's SetAuthProxyHeaders), the discovery merge order, and legacy
// discovery turned into aggregated resources.
import { expect, it } from 'vitest';
import { authenticationConfigMapData, authenticationInfoFromData, combineCABundles } from '../../server/aggregator/authentication-info.js';
import { headerKeyEscape, identityHeaders, isStrippedRequestHeader } from '../../server/aggregator/identity-headers.js';
import { aggregatedResources } from '../../server/aggregator/remote-discovery.js';
import { apiGroupList, mergedGroups } from '../../server/discovery/discovery.js';
import { TypeRegistry } from '../../server/registry/registry.js';
import { registerBuiltins } from '../../server/resources/index.js';
import { issue, newCA } from '../../pki/pki.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

it('extension-apiserver-authentication: stored and own info combined, lists as JSON, each CA once, expired ones dropped', () => {
  const a = newCA('a');
  const b = newCA('b');
  const expired = issue(a, { commonName: 'old', usage: 'client', notBefore: new Date(Date.now() - 3 * 864e5), notAfter: new Date(Date.now() - 864e5) });
  const stored = authenticationInfoFromData({
    'client-ca-file': a.certPem + expired.certPem, 'requestheader-client-ca-file': a.certPem,
    'requestheader-allowed-names': '["old-proxy"]', 'requestheader-username-headers': '["X-Remote-User"]',
  });
  const data = authenticationConfigMapData(stored, {
    clientCA: a.certPem + b.certPem, requestHeaderCA: b.certPem, requestHeaderAllowedNames: ['front-proxy-client'],
    requestHeaderUsernameHeaders: ['X-Remote-User'], requestHeaderGroupHeaders: ['X-Remote-Group'], requestHeaderExtraHeaderPrefixes: ['X-Remote-Extra-'], requestHeaderUIDHeaders: [],
  });
  const certs = (pem: string) => pem.match(/BEGIN CERTIFICATE/g)?.length ?? 0;
  expect(certs(data['client-ca-file'])).toBe(2);
  expect(certs(data['requestheader-client-ca-file'])).toBe(2);
  expect(data['requestheader-allowed-names']).toBe('["old-proxy","front-proxy-client"]');
  expect(data['requestheader-username-headers']).toBe('["X-Remote-User"]');
  expect(data['requestheader-group-headers']).toBe('["X-Remote-Group"]');
  expect(data['requestheader-extra-headers-prefix']).toBe('["X-Remote-Extra-"]');
  expect('requestheader-uid-headers' in data).toBe(false);
  // Go's PEM: 64 columns.
  expect(data['client-ca-file'].split('\n').filter((l) => !l.startsWith('-----') && l).every((l) => l.length <= 64)).toBe(true);
  // Without a requestheader CA only the client CA is published.
  expect(Object.keys(authenticationConfigMapData(authenticationInfoFromData({}), { clientCA: a.certPem, requestHeaderAllowedNames: [], requestHeaderUsernameHeaders: ['X-Remote-User'],
    requestHeaderGroupHeaders: [], requestHeaderExtraHeaderPrefixes: [], requestHeaderUIDHeaders: [] }))).toEqual(['client-ca-file']);
  expect(combineCABundles(expired.certPem, undefined)).toBeUndefined();
});

it('identity headers: user, uid, every group, extras with escaped keys; a client cannot send its own', () => {
  expect(identityHeaders({ name: 'alice', uid: 'u1', groups: ['dev', 'system:authenticated'], extra: { 'scopes.example.com/x y': ['a', 'b'] } })).toEqual([
    ['X-Remote-User', 'alice'], ['X-Remote-Uid', 'u1'], ['X-Remote-Group', 'dev'], ['X-Remote-Group', 'system:authenticated'],
    ['X-Remote-Extra-scopes.example.com%2Fx%20y', 'a'], ['X-Remote-Extra-scopes.example.com%2Fx%20y', 'b'],
  ]);
  expect(headerKeyEscape('100%')).toBe('100%25');
  for (const h of ['authorization', 'Impersonate-User', 'x-remote-user', 'X-Remote-Extra-foo', 'x-remote-proxy-mac']) expect(isStrippedRequestHeader(h)).toBe(true);
  expect(isStrippedRequestHeader('accept')).toBe(false);
});

it('discovery lists groups by priority as kube-aggregator does, extension groups merged in by theirs', () => {
  const types = new TypeRegistry();
  registerBuiltins(types);
  const remote = { groupVersions: () => [
    { group: 'wardle.example.com', version: 'v1alpha1', groupPriorityMinimum: 1000, versionPriority: 15 },
    { group: 'wardle.example.com', version: 'v1beta1', groupPriorityMinimum: 1000, versionPriority: 20 },
    { group: 'metrics.k8s.io', version: 'v1beta1', groupPriorityMinimum: 17790, versionPriority: 15 },
  ] };
  const names = mergedGroups(types, remote).map((g) => g.name);
  // kube 1.35's /apis order (recorded from it), with the extension groups where their priorities put them.
  expect(names.filter((n) => !['wardle.example.com', 'metrics.k8s.io'].includes(n))).toEqual(['apiregistration.k8s.io', 'apps', 'events.k8s.io', 'authentication.k8s.io',
    'authorization.k8s.io', 'autoscaling', 'batch', 'certificates.k8s.io', 'networking.k8s.io', 'policy', 'rbac.authorization.k8s.io', 'storage.k8s.io',
    'admissionregistration.k8s.io', 'apiextensions.k8s.io', 'scheduling.k8s.io', 'coordination.k8s.io', 'node.k8s.io', 'discovery.k8s.io', 'resource.k8s.io',
    'flowcontrol.apiserver.k8s.io']); // flowcontrol (16100) after the two at 16200, as kube's priority table puts it
  expect(names.indexOf('metrics.k8s.io')).toBe(names.indexOf('apps') + 1);
  expect(names.at(-1)).toBe('wardle.example.com');
  const wardle = (apiGroupList(types, remote) as any).groups.find((g: any) => g.name === 'wardle.example.com');
  expect(wardle.preferredVersion).toEqual({ groupVersion: 'wardle.example.com/v1beta1', version: 'v1beta1' });
  expect(wardle.versions.map((v: any) => v.version)).toEqual(['v1beta1', 'v1alpha1']);
  const autoscaling = (apiGroupList(types) as any).groups.find((g: any) => g.name === 'autoscaling');
  expect(autoscaling.versions.map((v: any) => v.version)).toEqual(['v2', 'v1']);
});

it('a legacy APIResourceList becomes aggregated resources with their subresources', () => {
  expect(aggregatedResources({ resources: [
    { name: 'flunders', singularName: 'flunder', namespaced: true, kind: 'Flunder', verbs: ['get', 'list'], shortNames: ['fl'] },
    { name: 'flunders/status', singularName: '', namespaced: true, kind: 'Flunder', verbs: ['get'] },
    { name: 'fischers', singularName: 'fischer', namespaced: false, kind: 'Fischer', verbs: ['get'] },
  ] }, 'wardle.example.com', 'v1alpha1')).toEqual([
    { resource: 'flunders', responseKind: { group: 'wardle.example.com', version: 'v1alpha1', kind: 'Flunder' }, scope: 'Namespaced', singularResource: 'flunder', verbs: ['get', 'list'], shortNames: ['fl'],
      subresources: [{ subresource: 'status', responseKind: { group: 'wardle.example.com', version: 'v1alpha1', kind: 'Flunder' }, verbs: ['get'] }] },
    { resource: 'fischers', responseKind: { group: 'wardle.example.com', version: 'v1alpha1', kind: 'Fischer' }, scope: 'Cluster', singularResource: 'fischer', verbs: ['get'] },
  ]);
});
