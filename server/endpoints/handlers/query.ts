// Query parameters to options, as kube's parameter codec converts them (k8s.io/apimachinery
// runtime/conversion.go and meta/v1/conversion.go): a malformed value is 400 before anything changes.
import { errors } from '../../api/errors.js';

const int64Min = -(2n ** 63n);
const int64Max = 2n ** 63n - 1n;

/** Go's strconv.ParseInt(s, 10, 64), with its error text. */
export function parseInt64(text: string): number {
  if (!/^[+-]?\d+$/.test(text)) throw errors.badRequest(`strconv.ParseInt: parsing ${JSON.stringify(text)}: invalid syntax`);
  const big = BigInt(text);
  if (big < int64Min || big > int64Max) throw errors.badRequest(`strconv.ParseInt: parsing ${JSON.stringify(text)}: value out of range`);
  return Number(big);
}

/** An int64 parameter (`limit`, `timeoutSeconds`, `gracePeriodSeconds`); undefined when absent. */
export function queryInt64(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  return v === null ? undefined : parseInt64(v);
}

/** A bool parameter: absent, "0" and "false" (any case) are false; anything else, "" included, is true. */
export function queryBool(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v !== null && v !== '0' && v.toLowerCase() !== 'false';
}

/** A *bool parameter: undefined when absent. */
export function queryOptionalBool(q: URLSearchParams, name: string): boolean | undefined {
  return q.has(name) ? queryBool(q, name) : undefined;
}
