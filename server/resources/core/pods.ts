import { isDeepStrictEqual } from 'node:util';
import { type KubeObject, setOwn } from '../../api/object.js';
import { column } from '../../table/types.js';
import { age, humanDuration, orNone } from '../../table/format.js';
import { defineResource } from '../define.js';
import { defaultPodSpec, validatePodSpec } from './pod-spec.js';
import { ApiError, field } from '../../api/errors.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

const terminalPhases = ['Succeeded', 'Failed'];

const isRestartable = (c: Obj | undefined) => c?.restartPolicy === 'Always';
const finishedAt = (c: Obj): number => Date.parse(c.lastState?.terminated?.finishedAt ?? '') || 0;

/** READY, STATUS and RESTARTS as kubectl's pod printer works them out from the container statuses. */
export function podCells(pod: Obj, now: number): [string, string, string] {
  const spec = pod.spec ?? {};
  const status = pod.status ?? {};
  const initSpecs = new Map<string, Obj>((spec.initContainers ?? []).map((c: Obj) => [c.name, c]));
  const total = (spec.containers ?? []).length + (spec.initContainers ?? []).filter(isRestartable).length;
  let ready = 0;
  let restarts = 0;
  let lastRestart = 0;
  let sidecarRestarts = 0;
  let lastSidecarRestart = 0;
  let reason: string = status.reason || status.phase || '';
  if ((status.conditions ?? []).some((c: Obj) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) reason = 'SchedulingGated';

  let initializing = false;
  const inits: Obj[] = status.initContainerStatuses ?? [];
  for (const [i, c] of inits.entries()) {
    restarts += c.restartCount ?? 0;
    lastRestart = Math.max(lastRestart, finishedAt(c));
    const sidecar = isRestartable(initSpecs.get(c.name));
    if (sidecar) {
      sidecarRestarts += c.restartCount ?? 0;
      lastSidecarRestart = Math.max(lastSidecarRestart, finishedAt(c));
    }
    const t = c.state?.terminated;
    if (t && t.exitCode === 0) continue;
    if (sidecar && c.started) {
      if (c.ready) ready++;
      continue;
    }
    if (t) reason = t.reason ? `Init:${t.reason}` : t.signal ? `Init:Signal:${t.signal}` : `Init:ExitCode:${t.exitCode}`;
    else if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') reason = `Init:${c.state.waiting.reason}`;
    else reason = `Init:${i}/${(spec.initContainers ?? []).length}`;
    initializing = true;
    break;
  }
  const initialized = (status.conditions ?? []).some((c: Obj) => c.type === 'Initialized' && c.status === 'True');
  if (!initializing || initialized) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let running = false;
    for (const c of [...(status.containerStatuses ?? [])].reverse() as Obj[]) {
      restarts += c.restartCount ?? 0;
      lastRestart = Math.max(lastRestart, finishedAt(c));
      const t = c.state?.terminated;
      if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
      else if (t?.reason) reason = t.reason;
      else if (t) reason = t.signal ? `Signal:${t.signal}` : `ExitCode:${t.exitCode}`;
      else if (c.ready && c.state?.running) {
        running = true;
        ready++;
      }
    }
    if (reason === 'Completed' && running) {
      reason = (status.conditions ?? []).some((c: Obj) => c.type === 'Ready' && c.status === 'True') ? 'Running' : 'NotReady';
    }
  }
  if (pod.metadata?.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata?.deletionTimestamp && !terminalPhases.includes(status.phase)) reason = 'Terminating';
  const restartCell = restarts && lastRestart ? `${restarts} (${humanDuration(now - lastRestart)} ago)` : String(restarts);
  return [`${ready}/${total}`, reason, restartCell];
}

/** The STATUS column alone. */
export function podStatus(pod: Obj): string {
  return podCells(pod, Date.now())[1];
}

export const pods = defineResource({
  group: '', version: 'v1', kind: 'Pod', resource: 'pods', namespaced: true, shortNames: ['po'], categories: ['all'],
  subresources: {
    status: true,
    others: [
      { name: 'binding', kind: { group: '', version: 'v1', kind: 'Binding' }, verbs: ['create'] },
      { name: 'eviction', kind: { group: 'policy', version: 'v1', kind: 'Eviction' }, verbs: ['create'] },
    ],
  },
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
      // SetDefaults_Pod: a limit without a request requests the limit.
      for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])] as Obj[]) {
        const limits = c.resources?.limits;
        if (!limits) continue;
        const requests = (c.resources.requests ??= {});
        for (const [k, v] of Object.entries(limits)) if (!Object.hasOwn(requests, k)) setOwn(requests, k, v);
      }
      // v1's deprecated serviceAccount mirrors serviceAccountName (kube's conversion); ServiceAccount admission picks the name.
      if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
      if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
      else delete spec.serviceAccount;
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
        return c;
      };
      // Compared as values: a client-go body lists the fields in Go's order, not in the stored one.
      if (!isDeepStrictEqual(strip(obj.spec as Obj), strip(old.spec as Obj))) {
        return [field.forbidden('spec', 'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)')];
      }
      return [];
    },
    // Pods on a node stay Terminating for their grace period until the kubelet removes them. Without a
    // kubelet nothing would: a pod bound to a node no kubelet has registered (no Node object) goes at
    // once, as kube's pod GC controller removes such pods; on a registered node it waits, as in kube.
    // With the real controller manager its pod GC does that, and the pod waits as in kube.
    async checkGracefulDelete(obj, options, ctx) {
      const spec = (obj.spec ?? {}) as Obj;
      if (options.gracePeriodSeconds === 0 || !spec.nodeName) return undefined;
      if (terminalPhases.includes((obj.status as Obj | undefined)?.phase)) return undefined;
      const grace = Math.max(options.gracePeriodSeconds ?? spec.terminationGracePeriodSeconds ?? 30, 0);
      if (!grace) return undefined;
      if (await ctx.controllerManager.active()) return { gracePeriodSeconds: grace };
      const nodeType = ctx.types.lookup('', 'v1', 'nodes');
      if (!nodeType) return undefined;
      try {
        await ctx.store.get(nodeType, '', spec.nodeName);
      } catch (e) {
        if (e instanceof ApiError && e.code === 404) return undefined;
        throw e;
      }
      return { gracePeriodSeconds: grace };
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
        const [ready, status, restarts] = podCells(pod, now);
        const gates: Obj[] = pod.spec?.readinessGates ?? [];
        const conditions: Obj[] = pod.status?.conditions ?? [];
        const gateCell = gates.length
          ? `${gates.filter((g) => conditions.find((c) => c.type === g.conditionType)?.status === 'True').length}/${gates.length}`
          : '<none>';
        return [obj.metadata.name, ready, status, restarts, age(obj, now),
          orNone(pod.status?.podIPs?.[0]?.ip ?? pod.status?.podIP), orNone(pod.spec?.nodeName), orNone(pod.status?.nominatedNodeName), gateCell];
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
    for (const r of ['cpu', 'memory']) {
      if (req[r] || lim[r]) anyResources = true;
      if (!lim[r] || (req[r] && req[r] !== lim[r])) guaranteed = false;
    }
  }
  if (!anyResources) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
