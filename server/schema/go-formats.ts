// The string formats kube's Go decoding enforces where JSON has only strings: []byte fields
// (base64, encoding/base64.StdEncoding) and metav1.Time (time.Parse with RFC 3339). Each returns
// Go's error text, or undefined when the value decodes.

const base64Alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const isNewline = (b: number) => b === 0x0a || b === 0x0d;

/** StdEncoding.Decode's verdict: `illegal base64 data at input byte N`, N counted in bytes as Go does. */
export function base64Error(value: string): string | undefined {
  const src = Buffer.from(value, 'utf8');
  const at = corruptOffset(src);
  return at === undefined ? undefined : `illegal base64 data at input byte ${at}`;
}

function corruptOffset(src: Buffer): number | undefined {
  let si = 0;
  while (si < src.length) {
    // One quantum of four symbols; newlines are skipped, '=' ends the input.
    let j = 0;
    for (; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return undefined;
        return si - j; // padding is required
      }
      const b = src[si++];
      if (base64Alphabet.includes(String.fromCharCode(b)) && b < 0x80) continue;
      if (isNewline(b)) { j--; continue; }
      if (b !== 0x3d) return si - 1;
      if (j < 2) return si - 1;
      if (j === 2) {
        while (si < src.length && isNewline(src[si])) si++;
        if (si === src.length) return src.length;
        if (src[si] !== 0x3d) return si - 1;
        si++;
      }
      while (si < src.length && isNewline(src[si])) si++;
      return si < src.length ? si : undefined;
    }
  }
  return undefined;
}

const rfc3339 = '2006-01-02T15:04:05Z07:00';
const q = (s: string) => JSON.stringify(s);

/** time.Parse(time.RFC3339, value)'s error, element by element as Go reports the first that fails. */
export function rfc3339Error(value: string): string | undefined {
  let rest = value;
  const fail = (elem: string) => `parsing time ${q(value)} as ${q(rfc3339)}: cannot parse ${q(rest)} as ${q(elem)}`;
  const digits = (n: number, elem: string): number | string => {
    for (let i = 0; i < n; i++) if (!(rest[i] >= '0' && rest[i] <= '9')) return fail(elem);
    const v = Number(rest.slice(0, n));
    rest = rest.slice(n);
    return v;
  };
  const literal = (lit: string): string | undefined => {
    if (!rest.startsWith(lit)) return fail(lit);
    rest = rest.slice(lit.length);
    return undefined;
  };
  const steps: Array<[string, number] | string> = [['2006', 4], '-', ['01', 2], '-', ['02', 2], 'T', ['15', 2], ':', ['04', 2], ':', ['05', 2]];
  const nums: number[] = [];
  for (const step of steps) {
    if (typeof step === 'string') {
      const e = literal(step);
      if (e) return e;
    } else {
      const v = digits(step[1], step[0]);
      if (typeof v === 'string') return v;
      nums.push(v);
    }
  }
  if (/^[.,]\d/.test(rest)) rest = rest.replace(/^[.,]\d+/, ''); // fractional seconds are accepted when parsing
  if (rest.startsWith('Z')) rest = rest.slice(1);
  else if (/^[+-]\d{2}:\d{2}/.test(rest)) rest = rest.slice(6);
  else return fail('Z07:00');
  if (rest) return `parsing time ${q(value)}: extra text: ${q(rest)}`;
  const [year, month, day, hour, minute, second] = nums;
  if (month < 1 || month > 12) return `parsing time ${q(value)}: month out of range`;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysIn = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  if (day < 1 || day > daysIn) return `parsing time ${q(value)}: day out of range`;
  if (hour > 23) return `parsing time ${q(value)}: hour out of range`;
  if (minute > 59) return `parsing time ${q(value)}: minute out of range`;
  if (second > 59) return `parsing time ${q(value)}: second out of range`;
  return undefined;
}
