// Subresource storage: how an update through a subresource differs from one of the main resource
// (kube registers a store per subresource, e.g. deployments/status with a StatusStrategy).
import type { KubeObject } from '../../api/object.js';
import { statusStrategy } from './status.js';

export interface SubresourceStrategy {
  /** Carry over from the stored object what this subresource may not change. */
  prepareForUpdate(obj: KubeObject, old: KubeObject): void;
}

/** By subresource name; without an entry, the main resource's strategy serves the update. */
export const subresourceStrategies: Record<string, SubresourceStrategy | undefined> = {
  status: statusStrategy,
};
