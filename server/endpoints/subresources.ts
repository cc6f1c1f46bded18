// Handlers for the paths the generic verbs do not serve: a subresource with storage of its own
// (scale, pods/binding, pods/eviction, namespaces/finalize) or a resource that is no stored kind
// (bindings, componentstatuses, the access reviews). The verbs each path allows are the keys of its entry; status is
// served by the generic verbs with the status strategy, so it has no entry.
import type { ResourceType } from '../registry/types.js';
import { createLocalSubjectAccessReview, createSelfSubjectAccessReview, createSelfSubjectRulesReview, createSubjectAccessReview } from './handlers/access-reviews.js';
import { createBinding, createLegacyBinding } from './handlers/binding.js';
import { getComponentStatus, listComponentStatuses } from './handlers/componentstatuses.js';
import type { HandlerContext } from './handlers/context.js';
import { createEviction } from './handlers/eviction.js';
import { finalizeNamespace } from './handlers/finalize.js';
import { getScale, patchScale, updateScale } from './handlers/scale.js';
import { createSelfSubjectReview } from './handlers/selfsubjectreview.js';
import { createTokenRequest } from './handlers/tokenrequest.js';
import { createTokenReview } from './handlers/tokenreview.js';

export type VerbHandler = (ctx: HandlerContext) => Promise<void>;
type Handlers = Partial<Record<string, VerbHandler>>;

/** By subresource name, for every resource that declares it. */
const bySubresource: Record<string, Handlers> = {
  scale: { get: getScale, update: updateScale, patch: patchScale },
};

/** By `resource/subresource` (core group) or `resource.group/subresource`; a bare resource for the whole resource. */
const byPath: Record<string, Handlers> = {
  'pods/binding': { create: createBinding },
  'pods/eviction': { create: createEviction },
  'namespaces/finalize': { update: finalizeNamespace },
  bindings: { create: createLegacyBinding },
  componentstatuses: { get: getComponentStatus, list: listComponentStatuses },
  'subjectaccessreviews.authorization.k8s.io': { create: createSubjectAccessReview },
  'localsubjectaccessreviews.authorization.k8s.io': { create: createLocalSubjectAccessReview },
  'selfsubjectaccessreviews.authorization.k8s.io': { create: createSelfSubjectAccessReview },
  'selfsubjectrulesreviews.authorization.k8s.io': { create: createSelfSubjectRulesReview },
  'serviceaccounts/token': { create: createTokenRequest },
  'tokenreviews.authentication.k8s.io': { create: createTokenReview },
  'selfsubjectreviews.authentication.k8s.io': { create: createSelfSubjectReview },
};

/** The handlers of this resource's path, or undefined when the generic verbs serve it. */
export function customHandlers(rt: ResourceType, subresource: string): Handlers | undefined {
  const resource = rt.group ? `${rt.resource}.${rt.group}` : rt.resource;
  return byPath[subresource ? `${resource}/${subresource}` : resource] ?? (subresource ? bySubresource[subresource] : undefined);
}
