// Scale subresource storage: the autoscaling/v1 Scale view of an object, read from and written to
// the paths its resource declares (specReplicasPath, statusReplicasPath, labelSelectorPath), as
// kube's scale REST (and the CRD scale subresource) does.
import { errors, field } from '../../api/errors.js';
import { getOwn, type KubeObject, setOwn } from '../../api/object.js';
import { formatLabelSelector } from '../../resources/core/pod-spec.js';
import type { SchemaTarget } from '../../schema/validate.js';
import type { GenericStore, WriteOptions } from '../store.js';
import type { ResourceType, ScaleSubresource } from '../types.js';

/** What a Scale body is decoded and checked as. */
export const scaleTarget: SchemaTarget = { kind: 'Scale', version: 'v1', definition: 'io.k8s.api.autoscaling.v1.Scale' };

/** `.spec.replicas` -> ['spec', 'replicas']. */
function segments(path: string): string[] {
  return path.split('.').filter(Boolean);
}

function readPath(obj: unknown, path: string): unknown {
  let cur = obj;
  for (const seg of segments(path)) cur = getOwn(cur, seg);
  return cur;
}

function writePath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const segs = segments(path);
  let cur = obj;
  for (const seg of segs.slice(0, -1)) {
    let next = getOwn(cur, seg);
    if (next === null || typeof next !== 'object' || Array.isArray(next)) setOwn(cur, seg, (next = {}));
    cur = next as Record<string, unknown>;
  }
  setOwn(cur, segs[segs.length - 1], value);
}

function scaleOf(rt: ResourceType): ScaleSubresource {
  const scale = rt.subresources?.scale;
  if (!scale) throw errors.notFoundPath();
  return scale;
}

/** The Scale of an object. */
export function toScale(rt: ResourceType, obj: KubeObject): KubeObject {
  const paths = scaleOf(rt);
  const declared = paths.labelSelectorPath ? readPath(obj, paths.labelSelectorPath) : undefined;
  // Built-in workloads keep their selector in spec.selector, not at a selector string path.
  const builtIn = formatLabelSelector(readPath(obj, '.spec.selector') as Record<string, unknown> | undefined);
  // A ReplicationController's selector is a plain label map: labels.SelectorFromSet(...).String().
  const asMap = declared && typeof declared === 'object' && !Array.isArray(declared)
    ? Object.keys(declared).sort().map((k) => `${k}=${String((declared as Record<string, unknown>)[k])}`).join(',') : undefined;
  const selector = typeof declared === 'string' ? declared : asMap ?? (builtIn === '<none>' ? '' : builtIn);
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name, namespace: obj.metadata.namespace, uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion, creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: readPath(obj, paths.specReplicasPath) ?? 0 },
    status: { replicas: readPath(obj, paths.statusReplicasPath) ?? 0, selector },
  };
}

export class ScaleStorage {
  constructor(private readonly store: GenericStore) {}

  async get(rt: ResourceType, namespace: string, name: string): Promise<KubeObject> {
    return toScale(rt, await this.store.get(rt, namespace, name));
  }

  /**
   * Writes the replicas of the Scale `next` makes from the current one. `pinned`: the client named
   * a resourceVersion, so a conflict is reported rather than retried.
   */
  async update(rt: ResourceType, namespace: string, name: string, opts: WriteOptions, next: (current: KubeObject) => KubeObject, pinned: boolean): Promise<KubeObject> {
    const paths = scaleOf(rt);
    const updated = await this.store.guaranteedUpdate(rt, namespace, name, opts, async (current) => {
      if (!current) throw errors.notFound({ group: rt.group, resource: rt.resource }, name);
      const scale = next(toScale(rt, current));
      if (scale.kind !== undefined && scale.kind !== 'Scale') throw errors.badRequest(`the kind in the data (${scale.kind}) does not match the expected kind (Scale)`);
      // ScaleSpec.replicas is omitempty: a Scale without it asks for 0, as in kube.
      const replicas = getOwn(scale.spec, 'replicas') ?? 0;
      if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
        throw errors.invalid('Scale', 'autoscaling', name, [field.invalid('spec.replicas', replicas, 'must be greater than or equal to 0')]);
      }
      const rv = scale.metadata?.resourceVersion;
      if (rv && rv !== current.metadata.resourceVersion) {
        throw errors.conflict({ group: rt.group, resource: rt.resource }, name, 'the object has been modified; please apply your changes to the latest version and try again');
      }
      writePath(current, paths.specReplicasPath, replicas);
      return { update: current };
    }, '', pinned);
    return toScale(rt, updated);
  }
}
