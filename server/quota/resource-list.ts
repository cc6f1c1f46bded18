// corev1.ResourceList arithmetic as kube's quota package does it (k8s.io/apiserver/pkg/quota/v1/resources.go).
import { addQuantity, compareQuantity, formatQuantity, parseQuantity, type Quantity, subtractQuantity } from '../api/quantity.js';

export type ResourceList = Record<string, Quantity>;

/** A ResourceList from JSON (quota spec/status, container resources); unparsable entries are left out. */
export function parseResourceList(json: Record<string, unknown> | undefined): ResourceList {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(json ?? {})) {
    if (typeof v !== 'string' && typeof v !== 'number') continue;
    try {
      out[k] = parseQuantity(v);
    } catch {
      // validation refuses such a value on the way in; a stored one counts as absent
    }
  }
  return out;
}

export function formatResourceList(list: ResourceList): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(list).sort()) out[k] = formatQuantity(list[k]);
  return out;
}

export function add(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(a)) out[k] = k in b ? addQuantity(v, b[k]) : v;
  for (const [k, v] of Object.entries(b)) if (!(k in out)) out[k] = v;
  return out;
}

/** a - b, with no value below zero (kube's SubtractWithNonNegativeResult). */
export function subtractNonNegative(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(a)) {
    const d = k in b ? subtractQuantity(v, b[k]) : v;
    out[k] = d.nano < 0n ? { nano: 0n, format: d.format } : d;
  }
  for (const [k, v] of Object.entries(b)) if (!(k in out)) out[k] = { nano: 0n, format: v.format };
  return out;
}

/** Only the keys in `names`. */
export function mask(list: ResourceList, names: Iterable<string>): ResourceList {
  const out: ResourceList = {};
  for (const n of names) if (n in list) out[n] = list[n];
  return out;
}

export function removeZeros(list: ResourceList): ResourceList {
  return Object.fromEntries(Object.entries(list).filter(([, v]) => v.nano !== 0n));
}

export function negativeNames(list: ResourceList): string[] {
  return Object.entries(list).filter(([, v]) => v.nano < 0n).map(([k]) => k);
}

/** Every value of a that b also names is at most b's; else the names that exceed (kube's LessThanOrEqual). */
export function lessThanOrEqual(a: ResourceList, b: ResourceList): { allowed: boolean; exceeded: string[] } {
  const exceeded = Object.keys(a).filter((k) => k in b && compareQuantity(a[k], b[k]) > 0);
  return { allowed: exceeded.length === 0, exceeded };
}

export function equals(a: ResourceList, b: ResourceList): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => k in b && compareQuantity(a[k], b[k]) === 0);
}

/** `cpu=1,pods=2`: sorted name=value pairs, as kube's quota messages print them. */
export function prettyPrint(list: ResourceList): string {
  return Object.keys(list).sort().map((k) => `${k}=${formatQuantity(list[k])}`).join(',');
}

export function prettyPrintNames(names: string[]): string {
  return [...names].sort().join(',');
}
