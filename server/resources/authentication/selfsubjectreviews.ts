// SelfSubjectReview: no stored kind. POST selfsubjectreviews answers the caller's own user (`kubectl auth whoami`).
import { defineResource } from '../define.js';

export const selfsubjectreviews = {
  ...defineResource({ group: 'authentication.k8s.io', version: 'v1', kind: 'SelfSubjectReview', resource: 'selfsubjectreviews', namespaced: false, verbs: ['create'] }),
  virtual: true,
  noTable: true,
  inOpenAPI: true,
};
