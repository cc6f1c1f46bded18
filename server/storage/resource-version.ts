// resourceVersion is an etcd revision: a non-negative safe integer, written as decimal digits.
import { errors } from '../api/errors.js';

export function parseResourceVersion(rv: string): number {
  const n = Number(rv);
  if (!/^\d+$/.test(rv) || !Number.isSafeInteger(n)) {
    throw errors.badRequest(`invalid resource version: ${JSON.stringify(rv)}`);
  }
  return n;
}
