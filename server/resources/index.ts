// Every built-in resource, registered in discovery order.
import type { TypeRegistry } from '../registry/registry.js';
import type { ResourceType } from '../registry/types.js';
import { configmaps } from './core/configmaps.js';
import { namespaces } from './core/namespaces.js';

export const builtinResources: ResourceType[] = [
  namespaces,
  configmaps,
];

export function registerBuiltins(types: TypeRegistry): void {
  for (const rt of builtinResources) types.add(rt);
}
