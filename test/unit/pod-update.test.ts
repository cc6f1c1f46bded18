// server/resources/core/pods.ts validateUpdate: what a pod update may change is compared by value, so a
// client-go body (fields in Go's order) that only sets activeDeadlineSeconds passes, as kube's ResourceQuota
// e2e "terminating scopes through scope selectors" does.
import { expect, it } from 'vitest';
import type { KubeObject } from '../../server/api/object.js';
import { pods } from '../../server/resources/core/pods.js';

it('a pod update in another key order that only sets activeDeadlineSeconds is allowed; a resources change is not', () => {
  const old = { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '1' } } }], restartPolicy: 'Always', dnsPolicy: 'ClusterFirst' } } as KubeObject;
  const reordered = { metadata: { name: 'p' }, spec: { dnsPolicy: 'ClusterFirst', activeDeadlineSeconds: 60, restartPolicy: 'Always', containers: [{ resources: { requests: { cpu: '1' } }, image: 'nginx', name: 'c' }] } } as KubeObject;
  expect(pods.strategy.validateUpdate!(reordered, old)).toEqual([]);
  const changed = { metadata: { name: 'p' }, spec: { ...(old.spec as object), containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu: '2' } } }] } } as KubeObject;
  expect(pods.strategy.validateUpdate!(changed, old)).toHaveLength(1);
});
