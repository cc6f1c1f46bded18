// The status subresource's storage, as kube's StatusStrategy: an update through /status changes
// status only; everything else stays as stored.
import { clone, type KubeObject } from '../../api/object.js';

export interface SubresourceStrategy {
  /** Carry over from the stored object what this subresource may not change. */
  prepareForUpdate(obj: KubeObject, old: KubeObject): void;
}

export const statusStrategy: SubresourceStrategy = {
  prepareForUpdate(obj, old) {
    const merged = clone(old);
    merged.status = obj.status;
    merged.metadata = old.metadata;
    if (obj.metadata.resourceVersion) merged.metadata.resourceVersion = obj.metadata.resourceVersion;
    Object.assign(obj, merged);
    for (const k of Object.keys(obj)) if (!(k in merged)) delete obj[k];
  },
};

/** Subresource storage by subresource name; the main resource's strategy serves the rest. */
export const subresourceStrategies: Record<string, SubresourceStrategy | undefined> = {
  status: statusStrategy,
};
