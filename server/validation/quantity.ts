// What kube's ValidateNonnegativeQuantity needs from a resource.Quantity written as JSON: its sign.

/** A quantity below zero: a negative number, or a string with a minus sign and a non-zero digit ("-0" is zero). */
export function isNegativeQuantity(q: unknown): boolean {
  if (typeof q === 'number') return q < 0;
  return typeof q === 'string' && q.trim().startsWith('-') && /[1-9]/.test(q.replace(/[eE][+-]?\d+$/, ''));
}
