// Which evaluator prices a resource (kube's pkg/quota/v1/install): the core evaluators, else a
// generic object count; resources quota never charges are ignored.
import { type Evaluator, objectCountEvaluator } from './evaluator.js';
import { persistentVolumeClaimEvaluator } from './persistent-volume-claims.js';
import { podEvaluator } from './pods.js';
import { serviceEvaluator } from './services.js';

/** Virtual or never-quota'd resources (kube's ignoredResources). */
const ignoredResources = new Set(['/bindings', '/componentstatuses', 'authentication.k8s.io/tokenreviews',
  'authentication.k8s.io/selfsubjectreviews', 'authorization.k8s.io/subjectaccessreviews', 'authorization.k8s.io/selfsubjectaccessreviews',
  'authorization.k8s.io/localsubjectaccessreviews', 'authorization.k8s.io/selfsubjectrulesreviews', '/events', 'events.k8s.io/events']);

/** Core kinds also counted under their pre-count/ names. */
const legacyObjectCountAliases: Record<string, string> = {
  configmaps: 'configmaps', secrets: 'secrets', replicationcontrollers: 'replicationcontrollers', resourcequotas: 'resourcequotas',
};

const evaluators = new Map<string, Evaluator>([
  ['/pods', podEvaluator], ['/services', serviceEvaluator], ['/persistentvolumeclaims', persistentVolumeClaimEvaluator],
]);

export function evaluatorFor(group: string, resource: string): Evaluator | undefined {
  const key = `${group}/${resource}`;
  if (ignoredResources.has(key)) return undefined;
  let e = evaluators.get(key);
  if (!e) {
    e = objectCountEvaluator(group, resource, group === '' ? legacyObjectCountAliases[resource] : undefined);
    evaluators.set(key, e);
  }
  return e;
}
