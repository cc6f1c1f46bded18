// resource.Quantity as kube's apimachinery reads, adds and prints it: a value held exactly in
// nano units (kube rounds parsed quantities up to 10^-9) and the format its suffix chose, so
// sums print as kube's canonical String() does ("1500m", "1536Mi", "2").

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** The value times 10^9. */
  nano: bigint;
  format: QuantityFormat;
}

const NANO = 1_000_000_000n;
const decimalSuffixes: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const binarySuffixes: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
// The number unambiguous (digits, then an optional fraction): linear on any input.
const quantityPattern = /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

export class QuantityParseError extends Error {}

/** kube's ParseQuantity; throws QuantityParseError on what kube refuses. */
export function parseQuantity(input: string | number): Quantity {
  const text = String(input).trim();
  const m = quantityPattern.exec(text);
  if (!m) throw new QuantityParseError(`quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`);
  const [, sign, number, suffix = ''] = m;
  const [whole, fraction = ''] = number.split('.');
  let num = BigInt((whole || '0') + fraction);
  let den = 10n ** BigInt(fraction.length);
  let format: QuantityFormat = 'DecimalSI';
  if (suffix in binarySuffixes) {
    format = 'BinarySI';
    num *= 2n ** BigInt(binarySuffixes[suffix]);
  } else {
    let exp: number;
    if (suffix in decimalSuffixes) exp = decimalSuffixes[suffix];
    else {
      format = 'DecimalExponent';
      exp = Number(suffix.slice(1));
    }
    if (exp >= 0) num *= 10n ** BigInt(exp);
    else den *= 10n ** BigInt(-exp);
  }
  num *= NANO;
  // Rounded up to the nano scale, as kube's parser does.
  let nano = num / den + (num % den === 0n ? 0n : 1n);
  if (sign === '-') nano = -nano;
  return { nano, format };
}

export function quantity(n: number, format: QuantityFormat = 'DecimalSI'): Quantity {
  return { nano: BigInt(n) * NANO, format };
}

/** kube's Quantity.String(): the canonical form. */
export function formatQuantity(q: Quantity): string {
  if (q.nano === 0n) return '0';
  const negative = q.nano < 0n;
  const abs = negative ? -q.nano : q.nano;
  let format = q.format;
  // A binary quantity below 1Ki, or with a fraction, prints in decimal so nothing is rounded.
  if (format === 'BinarySI' && (abs < 1024n * NANO || abs % NANO !== 0n)) format = 'DecimalSI';
  let out: string;
  if (format === 'BinarySI') {
    let v = abs / NANO;
    let k = 0;
    while (k < 6 && v % 1024n === 0n) {
      v /= 1024n;
      k++;
    }
    out = `${v}${['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'][k]}`;
  } else {
    let mantissa = abs;
    let exp = -9;
    while (mantissa % 10n === 0n) {
      mantissa /= 10n;
      exp++;
    }
    const r = ((exp % 3) + 3) % 3;
    mantissa *= 10n ** BigInt(r);
    exp -= r;
    if (format === 'DecimalExponent') out = exp === 0 ? `${mantissa}` : `${mantissa}e${exp}`;
    else {
      if (exp > 18) {
        mantissa *= 10n ** BigInt(exp - 18);
        exp = 18;
      }
      out = `${mantissa}${Object.keys(decimalSuffixes).find((s) => decimalSuffixes[s] === exp)}`;
    }
  }
  return negative ? `-${out}` : out;
}

/** q + y, keeping q's format unless q is zero (kube's Quantity.Add). */
export function addQuantity(q: Quantity, y: Quantity): Quantity {
  return { nano: q.nano + y.nano, format: q.nano === 0n ? y.format : q.format };
}

export function subtractQuantity(q: Quantity, y: Quantity): Quantity {
  return { nano: q.nano - y.nano, format: q.nano === 0n ? y.format : q.format };
}

export function compareQuantity(a: Quantity, b: Quantity): number {
  return a.nano < b.nano ? -1 : a.nano > b.nano ? 1 : 0;
}

/** Rounded up to a whole number (kube's RoundUp(0)), as PVC storage requests are charged. */
export function roundUpQuantity(q: Quantity): Quantity {
  const rem = q.nano % NANO;
  if (rem === 0n) return q;
  return { nano: q.nano - rem + (q.nano > 0n ? NANO : 0n), format: q.format };
}

/** The value as a JavaScript number in the quantity's units (for ratios). */
export function quantityValue(q: Quantity): number {
  return Number(q.nano) / 1e9;
}
