import { tableOf } from '../../table/format.js';
import { defineResource } from '../define.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

function nodeStatus(n: Obj): string {
  const ready = (n.status?.conditions ?? []).find((c: Obj) => c.type === 'Ready');
  let s = !ready ? 'Unknown' : ready.status === 'True' ? 'Ready' : 'NotReady';
  if (n.spec?.unschedulable) s += ',SchedulingDisabled';
  return s;
}

function roles(n: Obj): string {
  const out: string[] = [];
  for (const [k, v] of Object.entries((n.metadata?.labels ?? {}) as Record<string, string>)) {
    if (k.startsWith('node-role.kubernetes.io/')) out.push(k.slice('node-role.kubernetes.io/'.length));
    else if (k === 'kubernetes.io/role' && v) out.push(v);
  }
  return out.length ? out.sort().join(',') : '<none>';
}

function address(n: Obj, type: string): string {
  return (n.status?.addresses ?? []).find((a: Obj) => a.type === type)?.address ?? '<none>';
}

export const nodes = defineResource({
  group: '', version: 'v1', kind: 'Node', resource: 'nodes', namespaced: false, shortNames: ['no'],
  subresources: { status: true },
  storage: 'minions',
  strategy: {
    prepareForUpdate(obj, old) {
      obj.status = old.status;
    },
    selectableFields: { 'spec.unschedulable': (o) => String(Boolean((o.spec as Obj)?.unschedulable)) },
    table: tableOf([
      ['Status', 'string', 'The status of the node', 0, nodeStatus],
      ['Roles', 'string', 'The roles of the node', 0, roles],
      ['Version', 'string', 'Kubelet Version reported by the node.', 0, (n: Obj) => n.status?.nodeInfo?.kubeletVersion ?? ''],
      ['Internal-IP', 'string', 'List of addresses reachable to the node. Queried from cloud provider, if available.', 1, (n: Obj) => address(n, 'InternalIP')],
      ['External-IP', 'string', 'List of addresses reachable to the node. Queried from cloud provider, if available.', 1, (n: Obj) => address(n, 'ExternalIP')],
      ['OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', 1, (n: Obj) => n.status?.nodeInfo?.osImage || '<unknown>'],
      ['Kernel-Version', 'string', 'Kernel Version reported by the node from \'uname -r\' (e.g. 3.16.0-0.bpo.4-amd64).', 1, (n: Obj) => n.status?.nodeInfo?.kernelVersion || '<unknown>'],
      ['Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', 1, (n: Obj) => n.status?.nodeInfo?.containerRuntimeVersion || '<unknown>'],
    ], { ageAt: 2 }),
  },
});
