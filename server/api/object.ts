// The shapes every Kubernetes object shares. Objects are plain JSON; these types name what we touch.

export interface OwnerReference {
  apiVersion: string; kind: string; name: string; uid: string;
  controller?: boolean; blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: unknown[];
  selfLink?: string;
  [k: string]: unknown;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [k: string]: unknown;
}

export interface ListMeta { resourceVersion?: string; continue?: string; remainingItemCount?: number }

export interface KubeList {
  apiVersion: string;
  kind: string;
  metadata: ListMeta;
  items: KubeObject[];
}

export interface GroupVersionKind { group: string; version: string; kind: string }

export function apiVersionOf(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

/**
 * Sets an own property, also for keys a plain assignment would treat specially (`__proto__`):
 * every map a client fills must hold any key it sends.
 */
export function setOwn(o: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
  else o[key] = value;
}

/** An own property's value, never one inherited from Object.prototype (`constructor`, `__proto__`). */
export function getOwn(o: unknown, key: string): unknown {
  return o !== null && typeof o === 'object' && Object.hasOwn(o, key) ? (o as Record<string, unknown>)[key] : undefined;
}

/** Deep copy of a JSON value; objects here are always plain JSON (structuredClone keeps own `__proto__` keys). */
export function clone<T>(v: T): T {
  return structuredClone(v);
}
