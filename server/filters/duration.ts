// Go's time.ParseDuration, which kube applies to `?timeout=`: "300ms", "1.5h", "2h45m", "-1s".
// A single left-to-right scan (the filter runs before authentication: no backtracking, no regex),
// with Go's accepted language, overflow rules and error texts.
const units: Record<string, bigint> = { ns: 1n, us: 1_000n, 'µs': 1_000n, 'μs': 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };

const maxUint63 = 1n << 63n;

export type ParsedDuration = { ms: number; ns: bigint; error?: undefined } | { ms?: undefined; ns?: undefined; error: string };

/** Milliseconds (and Go's exact nanoseconds), or Go's error text (`time: invalid duration "1x"`). */
export function parseDuration(orig: string): ParsedDuration {
  const fail = (message: string): ParsedDuration => ({ error: `time: ${message} ${goQuote(orig)}` });
  let i = 0;
  const n = orig.length;
  let neg = false;
  if (n > 0 && (orig[0] === '-' || orig[0] === '+')) {
    neg = orig[0] === '-';
    i = 1;
  }
  if (n - i === 1 && orig[i] === '0') return { ms: 0, ns: 0n };
  if (i === n) return fail('invalid duration');
  let d = 0n;
  while (i < n) {
    if (!(orig[i] === '.' || isDigit(orig, i))) return fail('invalid duration');
    // [0-9]*: an integer beyond 2^63 (20 significant digits or more can only be) is an error
    const intStart = i;
    while (i < n && orig[i] === '0') i++;
    const significant = i;
    while (i < n && isDigit(orig, i)) i++;
    if (i - significant > 19) return fail('invalid duration');
    let v = i > significant ? BigInt(orig.slice(significant, i)) : 0n;
    if (v > maxUint63) return fail('invalid duration');
    const pre = i !== intStart;
    // (\.[0-9]*)?: digits past 2^63 only stop adding precision
    let f = 0n;
    let scale = 1;
    let post = false;
    if (i < n && orig[i] === '.') {
      i++;
      const fracStart = i;
      let overflow = false;
      for (; i < n && isDigit(orig, i); i++) {
        if (overflow) continue;
        if (f > (maxUint63 - 1n) / 10n) { overflow = true; continue; }
        const y = f * 10n + BigInt(orig.charCodeAt(i) - 48);
        if (y > maxUint63) { overflow = true; continue; }
        f = y;
        scale *= 10;
      }
      post = i !== fracStart;
    }
    if (!pre && !post) return fail('invalid duration');
    // The unit: everything up to the next digit or '.'.
    const unitStart = i;
    while (i < n && !(orig[i] === '.' || isDigit(orig, i))) i++;
    if (i === unitStart) return fail('missing unit in duration');
    const u = orig.slice(unitStart, i);
    const unit = Object.hasOwn(units, u) ? units[u] : undefined;
    if (unit === undefined) return fail(`unknown unit ${goQuote(u)} in duration`);
    if (v > maxUint63 / unit) return fail('invalid duration');
    v *= unit;
    if (f > 0n) {
      // float64, as Go does, to stay nanosecond accurate for fractions of hours
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > maxUint63) return fail('invalid duration');
    }
    d += v;
    if (d > maxUint63) return fail('invalid duration');
  }
  if (!neg && d > maxUint63 - 1n) return fail('invalid duration');
  const ns = neg ? -d : d;
  return { ms: Number(ns) / 1e6, ns };
}

/** Milliseconds, or undefined for text Go's ParseDuration refuses. */
export function parseGoDuration(s: string): number | undefined {
  return parseDuration(s).ms;
}

function isDigit(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

/** Go's time.quote: printable ASCII as is (`"` and `\` escaped), every other byte of the UTF-8 as \xNN. */
function goQuote(s: string): string {
  if (/^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/.test(s)) return `"${s}"`;
  const parts: string[] = ['"'];
  for (const b of Buffer.from(s, 'utf8')) {
    if (b >= 0x80 || b < 0x20) parts.push(`\\x${b.toString(16).padStart(2, '0')}`);
    else parts.push(b === 0x22 || b === 0x5c ? `\\${String.fromCharCode(b)}` : String.fromCharCode(b));
  }
  parts.push('"');
  return parts.join('');
}
