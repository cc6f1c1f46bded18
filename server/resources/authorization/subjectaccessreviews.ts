// authorization.k8s.io/v1 access reviews: create-only kinds with no storage, answered from the
// authorizer and its rule resolver (server/endpoints/handlers/access-reviews.ts).
import { defineResource } from '../define.js';

const review = (kind: string, resource: string, namespaced: boolean) => ({
  ...defineResource({ group: 'authorization.k8s.io', version: 'v1', kind, resource, namespaced, verbs: ['create'] }),
  virtual: true,
  noTable: true,
});

export const subjectaccessreviews = review('SubjectAccessReview', 'subjectaccessreviews', false);
export const selfsubjectaccessreviews = review('SelfSubjectAccessReview', 'selfsubjectaccessreviews', false);
export const localsubjectaccessreviews = review('LocalSubjectAccessReview', 'localsubjectaccessreviews', true);
export const selfsubjectrulesreviews = review('SelfSubjectRulesReview', 'selfsubjectrulesreviews', false);
