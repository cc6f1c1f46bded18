// pods/eviction storage, kube's EvictionREST: a pod covered by a PodDisruptionBudget is deleted only
// when the budget allows one more disruption; the budget's status.disruptionsAllowed is decremented
// and the pod recorded in status.disruptedPods first (retried on conflict), so two evictions never
// spend the same disruption. Pods not running (Pending, terminal, already deleting) need no budget.
import { ApiError, errors, field } from '../../api/errors.js';
import { type KubeObject, setOwn } from '../../api/object.js';
import { labelSelectorFromObject } from '../../selectors/labels.js';
import { nowTimestamp } from '../meta.js';
import type { TypeRegistry } from '../registry.js';
import type { DeleteOptions, GenericStore, WriteOptions } from '../store.js';
import type { ResourceType } from '../types.js';
import { isPodReady, updatePodCondition } from './pod-conditions.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

/** kube's MaxDisruptedPodSize: evictions the PDB controller has not yet seen. */
const maxDisruptedPods = 2000;
/** kube's EvictionsRetry allows 20 steps for a conflict on the pod. */
const maxConflictRetries = 20;
const violates = "Cannot evict pod as it would violate the pod's disruption budget.";

function tooManyRequests(retryAfterSeconds: number, message: string): ApiError {
  return new ApiError(429, 'TooManyRequests', violates, {
    ...(retryAfterSeconds ? { retryAfterSeconds } : {}), causes: [{ reason: 'DisruptionBudget', message }],
  });
}

/** The budget is newer than its status: the PDB controller has not caught up. */
const stillProcessing = (pdb: string) => tooManyRequests(10, `The disruption budget ${pdb} is still being processed by the server.`);

export interface EvictionRequest {
  namespace: string;
  name: string;
  eviction: KubeObject;
  /** The Eviction's deleteOptions (dry run merged in from the query). */
  deleteOptions: DeleteOptions;
  opts: WriteOptions;
}

export async function evictPod(store: GenericStore, types: TypeRegistry, req: EvictionRequest): Promise<void> {
  const { namespace, name, eviction, opts } = req;
  if (eviction.metadata.name !== name) throw errors.badRequest('name in URL does not match name in Eviction object');
  if ((eviction as Obj).deleteOptions?.ignoreStoreReadErrorWithClusterBreakingPotential === true) {
    throw errors.invalid('Eviction', 'policy', name, [field.invalid('deleteOptions.ignoreStoreReadErrorWithClusterBreakingPotential', true, 'can not be set for pod eviction, try after removing the option')]);
  }
  const pods = types.lookup('', 'v1', 'pods')!;
  const pdbs = types.lookup('policy', 'v1', 'poddisruptionbudgets')!;
  const original = req.deleteOptions;
  const pinned = Boolean(original.preconditions?.resourceVersion);

  // Pods the budget need not guard are deleted at once; a conflict on the pod is retried unless pinned.
  let pod: KubeObject;
  for (let attempt = 0; ; attempt++) {
    pod = await store.get(pods, namespace, name);
    if (!canIgnoreBudget(pod)) break;
    const options = shouldEnforceResourceVersion(pod) && !pinned ? withResourceVersion(original, pod.metadata.resourceVersion!) : original;
    try {
      await markAndDelete(store, pods, namespace, name, options, opts);
      return;
    } catch (e) {
      if (pinned || attempt >= maxConflictRetries || !(e instanceof ApiError && e.reason === 'Conflict')) throw e;
    }
  }

  const covering = (await store.list(pdbs, namespace, {})).items.filter((pdb) => {
    const selector = (pdb.spec as Obj | undefined)?.selector;
    // LabelSelectorAsSelector(nil) selects nothing; an empty selector selects everything.
    return selector !== undefined && selector !== null && labelSelectorFromObject(selector).matches(pod.metadata.labels ?? {});
  });
  // kube answers this Status as its result, not as an error: code 500, no reason.
  if (covering.length > 1) throw new ApiError(500, '', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');

  let unhealthyAllowed = false;
  if (covering.length === 1) {
    const pdb = covering[0] as Obj;
    const status = pdb.status ?? {};
    if (!isPodReady(pod) && (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow'
      || ((status.currentHealthy ?? 0) >= (status.desiredHealthy ?? 0) && (status.desiredHealthy ?? 0) > 0))) {
      // An unready pod does not count towards the budget: deleting it disrupts nothing.
      unhealthyAllowed = true;
    } else {
      await spendDisruption(store, pdbs, namespace, pdb.metadata.name, name, opts.dryRun);
    }
  }

  // The pod must not have become ready since the budget was judged.
  const options = unhealthyAllowed ? withResourceVersion(original, pod.metadata.resourceVersion!) : original;
  try {
    await markAndDelete(store, pods, namespace, name, options, opts);
  } catch (e) {
    if (e instanceof ApiError && e.reason === 'Conflict' && unhealthyAllowed && !pinned) throw stillProcessing(covering[0].metadata.name!);
    throw e;
  }
}

/** kube's canIgnorePDB: Pending, Succeeded or Failed, or already being deleted. */
function canIgnoreBudget(pod: KubeObject): boolean {
  const phase = (pod.status as Obj | undefined)?.phase;
  return ['Succeeded', 'Failed', 'Pending'].includes(phase) || Boolean(pod.metadata.deletionTimestamp);
}

/** Terminal or deleting pods race nothing a budget guards. */
function shouldEnforceResourceVersion(pod: KubeObject): boolean {
  const phase = (pod.status as Obj | undefined)?.phase;
  return !['Succeeded', 'Failed'].includes(phase) && !pod.metadata.deletionTimestamp;
}

function withResourceVersion(options: DeleteOptions, resourceVersion: string): DeleteOptions {
  return { ...options, preconditions: { ...options.preconditions, resourceVersion } };
}

/** kube's checkAndDecrement, as a read-modify-write of the budget's status that retries on conflict. */
async function spendDisruption(store: GenericStore, pdbs: ResourceType, namespace: string, pdbName: string, podName: string, dryRun: boolean): Promise<void> {
  await store.guaranteedUpdate(pdbs, namespace, pdbName, { dryRun, fieldValidation: 'Ignore', warnings: [] }, async (current) => {
    if (!current) throw errors.notFound({ group: 'policy', resource: 'poddisruptionbudgets' }, pdbName);
    const pdb = current as Obj;
    const status = (pdb.status ??= {});
    if ((status.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) throw stillProcessing(pdbName);
    const allowed = status.disruptionsAllowed ?? 0;
    const forbidden = (why: string) => errors.forbidden(`poddisruptionbudget.policy "${pdbName}" is forbidden: ${why}`, { name: pdbName, group: 'policy', kind: 'poddisruptionbudget' });
    if (allowed < 0) throw forbidden('pdb disruptions allowed is negative');
    if (Object.keys(status.disruptedPods ?? {}).length > maxDisruptedPods) throw forbidden('DisruptedPods map too big - too many evictions not confirmed by PDB controller');
    if (allowed === 0) throw tooManyRequests(0, budgetMessage(pdb));
    status.disruptionsAllowed = allowed - 1;
    if (status.disruptionsAllowed === 0) setDisruptionAllowedFalse(status);
    // The PDB controller learns from disruptedPods that this pod is going, and stops counting it.
    setOwn((status.disruptedPods ??= {}), podName, nowTimestamp());
    return { update: current };
  }, 'status');
}

/** Why the budget allows no disruption now, in kube's words. */
function budgetMessage(pdb: Obj): string {
  const status = pdb.status ?? {};
  const name = pdb.metadata.name;
  const condition = (status.conditions ?? []).find((c: Obj) => c.type === 'DisruptionAllowed');
  const failed = condition?.status === 'False' && condition.message;
  if (failed && condition.reason === 'SyncFailed') return `The disruption budget ${name} does not allow evicting pods currently because it failed sync: ${condition.message}`;
  if ((status.currentHealthy ?? 0) <= (status.desiredHealthy ?? 0)) return `The disruption budget ${name} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`;
  if (failed) return `The disruption budget ${name} does not allow evicting pods currently (${condition.reason}): ${condition.message}`;
  return `The disruption budget ${name} does not allow evicting pods currently`;
}

/** pdbhelper.UpdateDisruptionAllowedCondition with no disruption left (meta.SetStatusCondition). */
function setDisruptionAllowedFalse(status: Obj): void {
  const conditions: Obj[] = (status.conditions ??= []);
  const next = { type: 'DisruptionAllowed', status: 'False', observedGeneration: status.observedGeneration ?? 0, reason: 'InsufficientPods', message: '' };
  const i = conditions.findIndex((c) => c.type === 'DisruptionAllowed');
  if (i < 0) conditions.push({ ...next, lastTransitionTime: nowTimestamp() });
  else conditions[i] = { ...conditions[i], ...next, lastTransitionTime: conditions[i].status === 'False' ? conditions[i].lastTransitionTime : nowTimestamp() };
}

/**
 * kube's addConditionAndDeletePod: the pod is marked DisruptionTarget (checking the preconditions
 * against the latest pod), then deleted with the options, the resourceVersion precondition moved
 * to the marked pod's.
 */
async function markAndDelete(store: GenericStore, pods: ResourceType, namespace: string, name: string, options: DeleteOptions, opts: WriteOptions): Promise<void> {
  let deleteOptions = options;
  const dryRun = opts.dryRun || Boolean(options.dryRun?.includes('All'));
  if (!dryRun) {
    const pre = options.preconditions;
    const marked = await store.guaranteedUpdate(pods, namespace, name, opts, async (pod) => {
      if (!pod) throw errors.notFound({ group: '', resource: 'pods' }, name);
      const refuse = (why: string) => errors.conflict({ group: '', resource: 'Pod' }, name, why);
      if (pre?.uid && pre.uid !== pod.metadata.uid) {
        throw refuse(`the UID in the precondition (${pre.uid}) does not match the UID in record (${pod.metadata.uid}). The object might have been deleted and then recreated`);
      }
      if (pre?.resourceVersion && pre.resourceVersion !== pod.metadata.resourceVersion) {
        throw refuse(`the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${pod.metadata.resourceVersion}). The object might have been modified`);
      }
      updatePodCondition(pod, { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' });
      return { update: pod };
    }, 'status');
    if (pre?.resourceVersion) deleteOptions = withResourceVersion(options, marked.metadata.resourceVersion!);
  }
  await store.delete(pods, namespace, name, deleteOptions, { ...opts, dryRun });
}
