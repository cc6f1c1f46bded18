import type { KubeObject } from '../../api/object.js';
import { column } from '../../table/types.js';
import { age, orNone } from '../../table/format.js';
import { defineResource } from '../define.js';
import { defaultPodSpec, validatePodSpec } from './pod-spec.js';
import { field } from '../../api/errors.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

/** The STATUS column: kubectl's pod status reason logic, shortened to what a cluster without kubelets shows. */
export function podStatus(pod: Obj): string {
  let reason: string = pod.status?.reason || pod.status?.phase || 'Pending';
  const init: Obj[] = pod.status?.initContainerStatuses ?? [];
  for (const [i, c] of init.entries()) {
    if (c.state?.terminated && c.state.terminated.exitCode === 0) continue;
    if (c.state?.terminated) reason = c.state.terminated.reason ? `Init:${c.state.terminated.reason}` : `Init:ExitCode:${c.state.terminated.exitCode}`;
    else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') reason = `Init:${c.state.waiting.reason}`;
    else reason = `Init:${i}/${(pod.spec?.initContainers ?? []).length}`;
    break;
  }
  for (const c of [...(pod.status?.containerStatuses ?? [])].reverse()) {
    if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
    else if (c.state?.terminated?.reason) reason = c.state.terminated.reason;
  }
  if (pod.metadata?.deletionTimestamp) reason = pod.status?.reason === 'NodeLost' ? 'Unknown' : 'Terminating';
  return reason;
}

export const pods = defineResource({
  group: '', version: 'v1', kind: 'Pod', resource: 'pods', namespaced: true, shortNames: ['po'], categories: ['all'],
  subresources: { status: true },
  strategy: {
    trackGeneration: true,
    prepareForCreate(obj) {
      obj.status = { phase: 'Pending', qosClass: qosClass(obj.spec as Obj) };
    },
    prepareForUpdate(obj, old) {
      obj.status = old.status;
    },
    defaults(obj) {
      const spec = obj.spec as Obj | undefined;
      if (!spec) return;
      defaultPodSpec(spec);
      // ServiceAccount admission: every pod runs as a service account.
      spec.serviceAccountName ??= spec.serviceAccount ?? 'default';
      spec.serviceAccount ??= spec.serviceAccountName;
      spec.enableServiceLinks ??= true;
      spec.priority ??= 0;
      spec.preemptionPolicy ??= 'PreemptLowerPriority';
      spec.tolerations ??= [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ];
    },
    validate(obj) {
      return validatePodSpec(obj.spec as Obj, 'spec');
    },
    validateUpdate(obj, old) {
      // Pod updates may only change images, activeDeadlineSeconds, tolerations (additions) and the like.
      const strip = (s: Obj | undefined) => {
        const c = structuredClone(s ?? {});
        for (const x of [...(c.containers ?? []), ...(c.initContainers ?? [])]) delete x.image;
        delete c.activeDeadlineSeconds;
        delete c.tolerations;
        delete c.terminationGracePeriodSeconds;
        return JSON.stringify(c);
      };
      if (strip(obj.spec as Obj) !== strip(old.spec as Obj)) {
        return [field.forbidden('spec', 'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)')];
      }
      return [];
    },
    selectableFields: {
      'spec.nodeName': (o) => (o.spec as Obj)?.nodeName ?? '',
      'spec.restartPolicy': (o) => (o.spec as Obj)?.restartPolicy ?? '',
      'spec.schedulerName': (o) => (o.spec as Obj)?.schedulerName ?? '',
      'spec.serviceAccountName': (o) => (o.spec as Obj)?.serviceAccountName ?? '',
      'spec.hostNetwork': (o) => String(Boolean((o.spec as Obj)?.hostNetwork)),
      'status.phase': (o) => (o.status as Obj)?.phase ?? '',
      'status.podIP': (o) => (o.status as Obj)?.podIP ?? '',
      'status.nominatedNodeName': (o) => (o.status as Obj)?.nominatedNodeName ?? '',
    },
    table: {
      columns: [
        column('Name', 'string', 'Name must be unique within a namespace.', 0, 'name'),
        column('Ready', 'string', 'The aggregate readiness state of this pod for accepting traffic.'),
        column('Status', 'string', 'The aggregate status of the containers in this pod.'),
        column('Restarts', 'string', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
        column('Age', 'string', 'CreationTimestamp is a timestamp representing the server time when this object was created.'),
        column('IP', 'string', 'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.', 1),
        column('Node', 'string', 'NodeName is a request to schedule this pod onto a specific node.', 1),
        column('Nominated Node', 'string', 'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods.', 1),
        column('Readiness Gates', 'string', 'If specified, all readiness gates will be evaluated for pod readiness.', 1),
      ],
      cells(obj: KubeObject, now: number) {
        const pod = obj as Obj;
        const statuses: Obj[] = pod.status?.containerStatuses ?? [];
        const total = (pod.spec?.containers ?? []).length;
        const ready = statuses.filter((c) => c.ready).length;
        const restarts = statuses.reduce((n, c) => n + (c.restartCount ?? 0), 0);
        const gates: Obj[] = pod.spec?.readinessGates ?? [];
        const gateCell = gates.length ? `${gates.filter((g) => (pod.status?.conditions ?? []).some((c: Obj) => c.type === g.conditionType && c.status === 'True')).length}/${gates.length}` : '<none>';
        return [obj.metadata.name, `${ready}/${total}`, podStatus(pod), String(restarts), age(obj, now),
          orNone(pod.status?.podIP), orNone(pod.spec?.nodeName), orNone(pod.status?.nominatedNodeName), gateCell];
      },
    },
  },
});

function qosClass(spec: Obj | undefined): string {
  const cs: Obj[] = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
  let anyResources = false;
  let guaranteed = cs.length > 0;
  for (const c of cs) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) anyResources = true;
    for (const r of ['cpu', 'memory']) {
      if (!lim[r] || (req[r] && req[r] !== lim[r])) guaranteed = false;
    }
  }
  if (!anyResources) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
