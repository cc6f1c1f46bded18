// kube's PVC evaluator (pkg/quota/v1/evaluator/core/persistent_volume_claims.go): counts and requested
// storage, also per storage class (<class>.storageclass.storage.k8s.io/<resource>).
import type { KubeObject } from '../api/object.js';
import { compareQuantity, parseQuantity, quantity, type Quantity, roundUpQuantity } from '../api/quantity.js';
import { type Evaluator, type ScopeSelector, selectorMatchesValue } from './evaluator.js';
import type { ResourceList } from './resource-list.js';

const pvcResources = ['persistentvolumeclaims', 'requests.storage'];
const storageClassSuffix = '.storageclass.storage.k8s.io/';

type PVC = { spec?: { storageClassName?: string; volumeAttributesClassName?: string; resources?: { requests?: { storage?: string } } };
  status?: { allocatedResources?: { storage?: string }; currentVolumeAttributesClassName?: string; modifyVolumeStatus?: { targetVolumeAttributesClassName?: string } };
  metadata: { annotations?: Record<string, string> } };

/** Every VolumeAttributesClass the claim names: asked for, current, and the one a modification is heading to. */
function volumeAttributesClasses(pvc: PVC): Set<string> {
  return new Set([pvc.spec?.volumeAttributesClassName, pvc.status?.currentVolumeAttributesClassName,
    pvc.status?.modifyVolumeStatus?.targetVolumeAttributesClassName].filter((n): n is string => Boolean(n)));
}

/** kube's pvcMatchesScopeFunc: the VolumeAttributesClass scope, the only one claims know. */
function pvcMatchesScope(scope: ScopeSelector, obj: KubeObject): boolean {
  if (scope.scopeName !== 'VolumeAttributesClass') return false;
  const names = volumeAttributesClasses(obj as unknown as PVC);
  if (scope.operator === 'Exists') return names.size > 0;
  if (!names.size) return selectorMatchesValue(scope, undefined);
  return [...names].some((n) => selectorMatchesValue(scope, n));
}

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
    const pvc = req.object as PVC | undefined;
    const old = req.oldObject as PVC | undefined;
    if (pvc?.status?.allocatedResources?.storage !== old?.status?.allocatedResources?.storage) return true;
    const [a, b] = [volumeAttributesClasses(pvc ?? { metadata: {} }), volumeAttributesClasses(old ?? { metadata: {} })];
    return a.size !== b.size || [...a].some((n) => !b.has(n));
  },
  matchingResources: (input) => input.filter((n) => n === 'count/persistentvolumeclaims' || pvcResources.includes(n)
    || pvcResources.some((r) => n.endsWith(storageClassSuffix + r))),
  matchesScope: pvcMatchesScope,
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
