// The status subresource's storage, as kube's StatusStrategy: an update through /status changes
// status only; everything else stays as stored.
import { clone } from '../../api/object.js';
import type { SubresourceStrategy } from './storage.js';

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
