// The status/spec split most resources with a status subresource share: a create starts from the
// initial status, a main-resource update keeps the stored one.
import type { KubeObject } from '../api/object.js';
import type { Strategy } from '../registry/types.js';

export function statusSplit(initial: () => Record<string, unknown> | undefined = () => ({})): Pick<Strategy, 'prepareForCreate' | 'prepareForUpdate'> {
  return {
    prepareForCreate(obj: KubeObject) {
      const status = initial();
      if (status === undefined) delete obj.status;
      else obj.status = status;
    },
    prepareForUpdate(obj: KubeObject, old: KubeObject) {
      obj.status = old.status;
    },
  };
}
