// TokenReview: no stored kind. POST tokenreviews asks who a token is (server/endpoints/handlers/tokenreview.ts).
import { defineResource } from '../define.js';

export const tokenreviews = {
  ...defineResource({ group: 'authentication.k8s.io', version: 'v1', kind: 'TokenReview', resource: 'tokenreviews', namespaced: false, verbs: ['create'] }),
  virtual: true,
  noTable: true,
  inOpenAPI: true,
};
