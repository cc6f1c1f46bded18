// pods/binding storage, kube's BindingREST: the scheduler's write. It sets spec.nodeName of a pod not
// yet bound, marks it PodScheduled, and copies the Binding's annotations and labels onto it, with the
// Binding's uid and resourceVersion as preconditions. It writes below the pod strategy, as kube does.
import { ApiError, errors, type FieldError, field } from '../../api/errors.js';
import { type KubeObject, setOwn } from '../../api/object.js';
import type { GenericStore, WriteOptions } from '../store.js';
import type { ResourceType } from '../types.js';
import { updatePodCondition } from './pod-conditions.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
type Obj = Record<string, any>;

/** kube's ValidatePodBinding. */
function validateBinding(binding: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const target = binding.target ?? {};
  if (target.kind && target.kind !== 'Node') errs.push(field.notSupported('target.kind', target.kind, ['Node', '<empty>']));
  if (!target.name) errs.push(field.required('target.name', ''));
  return errs;
}

/** A precondition that failed, in the words of kube's storage. */
function preconditionFailed(store: GenericStore, pods: ResourceType, namespace: string, name: string, what: string): ApiError {
  return errors.conflict({ group: '', resource: 'pods' }, name,
    `StorageError: invalid object, Code: 4, Key: ${store.key(pods, namespace, name)}, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: ${what}`);
}

/** Binds pod `name` to the Binding's target node. */
export async function bindPod(store: GenericStore, pods: ResourceType, namespace: string, name: string, binding: KubeObject, opts: WriteOptions): Promise<void> {
  if (binding.metadata.name !== name) throw errors.badRequest('name in URL does not match name in Binding object');
  const invalid = validateBinding(binding);
  // kube returns the aggregate itself, not a Status error: it is answered as a 500 with the bare message.
  if (invalid.length) throw new ApiError(500, '', invalid.map((e) => `${e.field}: ${e.detailMessage()}`).join(', '));
  const { uid, resourceVersion } = binding.metadata;
  const node = (binding as Obj).target.name as string;
  const conflict = (why: string) => errors.conflict({ group: '', resource: 'pods/binding' }, name, why);
  await store.guaranteedUpdate(pods, namespace, name, opts, async (pod) => {
    if (!pod) throw errors.notFound({ group: '', resource: 'pods' }, name);
    if (uid && uid !== pod.metadata.uid) throw preconditionFailed(store, pods, namespace, name, `UID in precondition: ${uid}, UID in object meta: ${pod.metadata.uid}`);
    if (resourceVersion && resourceVersion !== pod.metadata.resourceVersion) {
      throw preconditionFailed(store, pods, namespace, name, `ResourceVersion in precondition: ${resourceVersion}, ResourceVersion in object meta: ${pod.metadata.resourceVersion}`);
    }
    const spec = (pod.spec ??= {}) as Obj;
    if (pod.metadata.deletionTimestamp) throw conflict(`pod ${name} is being deleted, cannot be assigned to a host`);
    if (spec.nodeName) throw conflict(`pod ${name} is already assigned to node ${JSON.stringify(spec.nodeName)}`);
    if (spec.schedulingGates?.length) throw conflict(`pod ${name} has non-empty .spec.schedulingGates`);
    spec.nodeName = node;
    // ClearingNominatedNodeNameAfterBinding (beta, on in 1.35): the nomination hint is stale now.
    delete (pod.status as Obj | undefined)?.nominatedNodeName;
    // PodTopologyLabelsAdmission (beta, on in 1.35): the Binding's labels overwrite the pod's.
    for (const [meta, from] of [['annotations', binding.metadata.annotations], ['labels', binding.metadata.labels]] as const) {
      if (!from || !Object.keys(from).length) continue;
      const to = (pod.metadata[meta] ??= {}) as Record<string, string>;
      for (const [k, v] of Object.entries(from)) setOwn(to, k, v);
    }
    updatePodCondition(pod, { type: 'PodScheduled', status: 'True' });
    return { update: pod };
  }, 'binding', Boolean(resourceVersion));
}
