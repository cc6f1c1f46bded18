// Binding: no stored kind. POST bindings (and pods/{name}/binding) binds a pod to a node
// (server/registry/subresources/binding.ts).
import { defineResource } from '../define.js';

export const bindings = {
  ...defineResource({ group: '', version: 'v1', kind: 'Binding', resource: 'bindings', namespaced: true, verbs: ['create'] }),
  virtual: true,
};
