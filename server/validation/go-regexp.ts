// Go's regexp for patterns that arrive in requests (a CRD schema's `pattern`): RE2 syntax and
// linear-time matching, as kube-apiserver compiles them. JavaScript's RegExp backtracks, so one
// pattern and one string could hold the event loop for hours; it also accepts what Go refuses
// (lookaround, backreferences). @bufbuild/re2 is the RE2 port CEL's matches() already runs on.
import { RE2JS } from '@bufbuild/re2';

/** What ajv calls a RegExpLike: all a schema `pattern` needs. */
export interface RegExpLike { test(s: string): boolean; toString(): string }

/** Go's regexp.Compile error for the pattern (`error parsing regexp: invalid escape sequence: \`\\1\``), or undefined. */
export function goRegexpError(pattern: string): string | undefined {
  try {
    RE2JS.compile(pattern);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/** Go's regexp.MatchString: true when the pattern matches anywhere in `s`. Throws Go's error for a bad pattern. */
export function compileGoRegexp(pattern: string): RegExpLike {
  const re = RE2JS.compile(pattern);
  // toString: ajv keys its compiled patterns by it
  return { test: (s: string) => re.test(s), toString: () => `re2:${pattern}` };
}

/**
 * ajv's `code.regExp`: schema patterns compiled as Go compiles them. A pattern Go refuses matches
 * nothing (kube's CRD validation refuses such a pattern before; one stored earlier fails its values).
 */
export const goRegExpEngine: ((pattern: string, u: string) => RegExpLike) & { code: string } = Object.assign(
  (pattern: string): RegExpLike => {
    try {
      return compileGoRegexp(pattern);
    } catch {
      return { test: () => false, toString: () => `re2-invalid:${pattern}` };
    }
  },
  { code: 'goRegExpEngine' },
);
