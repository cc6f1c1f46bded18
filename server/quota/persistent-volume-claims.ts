// kube's PVC evaluator (pkg/quota/v1/evaluator/core/persistent_volume_claims.go): counts and requested
// storage, also per storage class (<class>.storageclass.storage.k8s.io/<resource>).
import type { KubeObject } from '../api/object.js';
import { compareQuantity, parseQuantity, quantity, type Quantity, roundUpQuantity } from '../api/quantity.js';
import type { Evaluator } from './evaluator.js';
import type { ResourceList } from './resource-list.js';

const pvcResources = ['persistentvolumeclaims', 'requests.storage'];
const storageClassSuffix = '.storageclass.storage.k8s.io/';

type PVC = { spec?: { storageClassName?: string; resources?: { requests?: { storage?: string } } };
  status?: { allocatedResources?: { storage?: string } }; metadata: { annotations?: Record<string, string> } };

function storageClassOf(pvc: PVC): string {
  return pvc.spec?.storageClassName ?? pvc.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '';
}

function parsed(v: string | undefined): Quantity | undefined {
  try {
    return v === undefined ? undefined : parseQuantity(v);
  } catch {
    return undefined;
  }
}

/** The request, rounded up to whole bytes; a larger allocation (a failed expansion) counts instead. */
function storageUsage(pvc: PVC): Quantity | undefined {
  const request = parsed(pvc.spec?.resources?.requests?.storage);
  if (!request) return undefined;
  const allocated = parsed(pvc.status?.allocatedResources?.storage);
  return roundUpQuantity(allocated && compareQuantity(allocated, request) > 0 ? allocated : request);
}

export const persistentVolumeClaimEvaluator: Evaluator = {
  handles(req) {
    if (req.subresource === '') return req.operation === 'CREATE' || req.operation === 'UPDATE';
    if (req.subresource !== 'status') return false;
    const now = (req.object as PVC | undefined)?.status?.allocatedResources?.storage;
    const before = (req.oldObject as PVC | undefined)?.status?.allocatedResources?.storage;
    return now !== before;
  },
  matchingResources: (input) => input.filter((n) => n === 'count/persistentvolumeclaims' || pvcResources.includes(n)
    || pvcResources.some((r) => n.endsWith(storageClassSuffix + r))),
  matchesScope: () => false,
  constraints: () => undefined,
  usage(obj: KubeObject): ResourceList {
    const pvc = obj as unknown as PVC;
    const result: ResourceList = { persistentvolumeclaims: quantity(1), 'count/persistentvolumeclaims': quantity(1) };
    const cls = storageClassOf(pvc);
    if (cls) result[`${cls}${storageClassSuffix}persistentvolumeclaims`] = quantity(1);
    const storage = storageUsage(pvc);
    if (storage) {
      result['requests.storage'] = storage;
      if (cls) result[`${cls}${storageClassSuffix}requests.storage`] = storage;
    }
    return result;
  },
};
