// Every built-in resource, registered in discovery order.
import type { TypeRegistry } from '../registry/registry.js';
import type { ResourceType } from '../registry/types.js';
import { configmaps } from './core/configmaps.js';
import { endpoints } from './core/endpoints.js';
import { events } from './core/events.js';
import { limitranges } from './core/limitranges.js';
import { namespaces } from './core/namespaces.js';
import { nodes } from './core/nodes.js';
import { persistentvolumeclaims } from './core/persistentvolumeclaims.js';
import { persistentvolumes } from './core/persistentvolumes.js';
import { pods } from './core/pods.js';
import { resourcequotas } from './core/resourcequotas.js';
import { secrets } from './core/secrets.js';
import { serviceaccounts } from './core/serviceaccounts.js';
import { services } from './core/services.js';
import { eventsV1 } from './events/events.js';

export const builtinResources: ResourceType[] = [
  namespaces, configmaps, endpoints, events, limitranges, nodes, persistentvolumeclaims, persistentvolumes, pods,
  resourcequotas, secrets, serviceaccounts, services,
  eventsV1,
];

export function registerBuiltins(types: TypeRegistry): void {
  for (const rt of builtinResources) types.add(rt);
}
