// conformance/expected-passing.txt: the specs that pass against this project today, one full spec name a
// line (# comments). A listed spec that runs and does not pass is a regression; a spec that is not listed
// may fail (a known gap) without failing the run. Add a spec to the list once it passes.
import type { SpecResult } from './reports.js';

export function readExpected(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
}

/** The listed specs that ran and did not pass. */
export function regressions(expected: string[], specs: SpecResult[]): SpecResult[] {
  const listed = new Set(expected);
  return specs.filter((s) => listed.has(s.name) && s.state !== 'passed');
}

/** A ginkgo --focus that selects exactly these specs (Go's regexp.QuoteMeta escapes the same characters). */
export function focusOn(names: string[]): string {
  return names.map((n) => n.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&')).join('|');
}
