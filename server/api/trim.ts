// Go's strings.TrimRight for one character, in one backward scan: `s.replace(/c+$/, '')` is
// quadratic on a long run of c followed by something else, and these run on request input.

/** `s` without the run of `c` (one character) at its end. */
export function trimRight(s: string, c: string): string {
  const code = c.charCodeAt(0);
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === code) end--;
  return end === s.length ? s : s.slice(0, end);
}
