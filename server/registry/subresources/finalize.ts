// namespaces/finalize storage, kube's namespaceFinalizeStrategy: the update may change spec.finalizers
// (and metadata), never status; each finalizer is a qualified name, or one of kube's standard ones.
import { type FieldError, field } from '../../api/errors.js';
import { isQualifiedName } from '../../validation/names.js';
import type { SubresourceStrategy } from './storage.js';

/** kube's standardFinalizers: the names that need no domain prefix. */
const standardFinalizers = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

export const finalizeStrategy: SubresourceStrategy = {
  prepareForUpdate(obj, old) {
    obj.status = old.status;
  },
  validateUpdate(obj) {
    const errs: FieldError[] = [];
    const finalizers = ((obj.spec as { finalizers?: unknown[] } | undefined)?.finalizers ?? []).map(String);
    for (const [i, f] of finalizers.entries()) {
      const path = `spec.finalizers[${i}]`;
      for (const m of isQualifiedName(f)) errs.push(field.invalid(path, f, m));
      if (!f.includes('/') && !standardFinalizers.has(f)) errs.push(field.invalid(path, f, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
    return errs;
  },
};
