// Subresource storage: how an update through a subresource differs from one of the main resource
// (kube registers a store per subresource, e.g. deployments/status with a StatusStrategy).
import type { FieldError } from '../../api/errors.js';
import type { KubeObject } from '../../api/object.js';
import { finalizeStrategy } from './finalize.js';
import { statusStrategy } from './status.js';

export interface SubresourceStrategy {
  /** Carry over from the stored object what this subresource may not change. */
  prepareForUpdate(obj: KubeObject, old: KubeObject): void;
  /** Rules of this subresource's own, after the resource's validation. */
  validateUpdate?(obj: KubeObject, old: KubeObject): FieldError[];
  /**
   * The caller's object is written as it is: no strategy, defaults, generation or validation, as
   * kube's BindingREST updates the pod in storage directly. The caller checks what it changes.
   */
  direct?: boolean;
}

/** By subresource name; without an entry, the main resource's strategy serves the update. */
export const subresourceStrategies: Record<string, SubresourceStrategy | undefined> = {
  status: statusStrategy,
  finalize: finalizeStrategy,
  binding: { direct: true, prepareForUpdate: () => undefined },
};
