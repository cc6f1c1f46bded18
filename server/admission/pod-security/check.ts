// What a Pod Security Standards check is (k8s.io/pod-security-admission/policy's Check): an id, the
// level it belongs to, and its implementations by the minimum policy version each applies from.

/* eslint-disable @typescript-eslint/no-explicit-any */
export type Obj = Record<string, any>;

export type Level = 'privileged' | 'baseline' | 'restricted';

export interface CheckResult {
  allowed: boolean;
  forbiddenReason?: string;
  forbiddenDetail?: string;
}

export type CheckPod = (meta: Obj, spec: Obj) => CheckResult;

export interface VersionedCheck {
  /** The minor version of v1.x this implementation applies from. */
  minimumMinor: number;
  checkPod: CheckPod;
  /** Baseline checks this restricted one replaces from this version on. */
  overrideCheckIDs?: string[];
}

export interface Check {
  id: string;
  level: 'baseline' | 'restricted';
  versions: VersionedCheck[];
}

export const allowed: CheckResult = { allowed: true };

export const forbidden = (reason: string, detail: string): CheckResult => ({ allowed: false, forbiddenReason: reason, forbiddenDetail: detail });

/** Init containers, containers, then ephemeral containers, as kube's visitContainers. */
export function containersOf(spec: Obj): Obj[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
}

export const joinQuote = (items: string[]): string => (items.length ? `"${items.join('", "')}"` : '');

export const pluralize = (singular: string, plural: string, count: number): string => (count === 1 ? singular : plural);

/** A sorted set's members, as Go's sets.String List(). */
export const sortedSet = (s: Set<string>): string[] => [...s].sort();

/** Go's %q for the plain strings annotations hold. */
export const quote = (s: string): string => JSON.stringify(s);

/** Pods in a user namespace (hostUsers: false) have some restricted checks relaxed from v1.35 on. */
export const relaxForUserNamespace = (spec: Obj): boolean => spec.hostUsers === false;

export const isWindows = (spec: Obj): boolean => spec.os?.name === 'windows';

/** "container "a"" or "containers "a", "b"": how every message names the containers at fault. */
export const containersPhrase = (names: string[]): string => `${pluralize('container', 'containers', names.length)} ${joinQuote(names)}`;
