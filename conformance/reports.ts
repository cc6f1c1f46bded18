// Ginkgo's reports of one e2e.test run, read and trimmed: a focused run still reports every other spec
// of the suite (thousands) as skipped, so both reports keep only the specs the focus and skip chose.
import { readFileSync, writeFileSync } from 'node:fs';

/** One spec as summary.json carries it. `failure` is the failure message (or the reason it was skipped), clipped. */
export interface SpecResult { name: string; state: string; failure?: string }

export interface TargetSummary {
  passed: number;
  failed: number;
  skipped: number;
  total: number;
  /** A failure outside any spec (the suite's set-up), which leaves every spec unrun. */
  suiteFailure?: string;
  specs: SpecResult[];
}

interface GinkgoFailure { Message?: string; ForwardedPanic?: string }
interface GinkgoSpecReport {
  ContainerHierarchyTexts?: string[] | null;
  LeafNodeText?: string;
  LeafNodeType?: string;
  State: string;
  Failure?: GinkgoFailure;
  [other: string]: unknown;
}
interface GinkgoReport { SpecReports?: GinkgoSpecReport[] | null }

/** Ginkgo's own full text of a spec: its containers' texts and its leaf's, joined by spaces. */
export function specName(s: GinkgoSpecReport): string {
  return [...(s.ContainerHierarchyTexts ?? []), s.LeafNodeText ?? ''].filter((t) => t !== '').join(' ');
}

// Some failure messages print whole objects (kilobytes); the reports keep them whole, the summary their start.
const clip = (m: string) => (m.length > 1000 ? `${m.slice(0, 1000)}… (${m.length} characters; see report.json)` : m);

const timelineKeys = ['CapturedGinkgoWriterOutput', 'CapturedStdOutErr', 'SpecEvents', 'ReportEntries', 'ProgressReports', 'AdditionalFailures'];

// A spec the focus left out is `skipped` with no message; one that called Skip() says why.
const filteredOut = (s: GinkgoSpecReport): boolean => s.State === 'skipped' && !s.Failure?.Message;

/**
 * Reads ginkgo's JSON report, rewrites it without the specs the focus left out, and summarises it.
 * Every state but passed, skipped and pending (failed, timedout, panicked, interrupted, aborted) counts as failed.
 */
export function summariseJsonReport(file: string): TargetSummary {
  const reports = JSON.parse(readFileSync(file, 'utf8')) as GinkgoReport[];
  const specs: SpecResult[] = [];
  let suiteFailure: string | undefined;
  for (const report of reports) {
    report.SpecReports = (report.SpecReports ?? []).filter((s) => !filteredOut(s));
    for (const s of report.SpecReports) {
      // As kube's own JUnit report does: no timeline for a spec that passed (most of a report's size).
      if (s.State === 'passed') for (const k of timelineKeys) delete s[k];
      const message = s.Failure?.Message || s.Failure?.ForwardedPanic || undefined;
      if (s.LeafNodeType !== 'It') {
        if (!['passed', 'skipped'].includes(s.State)) suiteFailure ??= `${s.LeafNodeType}: ${message ?? s.State}`;
        continue;
      }
      specs.push({ name: specName(s), state: s.State, ...(s.State !== 'passed' && message ? { failure: clip(message.trim()) } : {}) });
    }
  }
  writeFileSync(file, JSON.stringify(reports, null, 1) + '\n');
  specs.sort((a, b) => a.name.localeCompare(b.name));
  const count = (pred: (s: SpecResult) => boolean) => specs.filter(pred).length;
  return {
    passed: count((s) => s.state === 'passed'),
    failed: count((s) => !['passed', 'skipped', 'pending'].includes(s.state)),
    skipped: count((s) => s.state === 'skipped' || s.state === 'pending'),
    total: specs.length,
    ...(suiteFailure ? { suiteFailure } : {}),
    specs,
  };
}

/**
 * Drops from ginkgo's JUnit report the test cases the focus left out (`<skipped message="skipped">`, no
 * reason) and the output of those that passed, and lowers the counts on <testsuites> and <testsuite> to match. The XML is ginkgo's indented
 * encoding: one element per line.
 */
export function trimJUnitReport(file: string): void {
  let removed = 0;
  let xml = readFileSync(file, 'utf8').replace(
    /\n[ \t]*<testcase [^>]*status="skipped"[^>]*>\s*<skipped message="skipped"><\/skipped>\s*<\/testcase>/g,
    () => { removed++; return ''; },
  ).replace(
    // A passed spec's timeline and output (escaped text: no raw '<' inside), as the JSON report.
    /(<testcase [^>]*status="passed"[^>]*>)([\s\S]*?)(<\/testcase>)/g,
    (_m, open: string, body: string, close: string) => open + body.replace(/\s*<system-(out|err)>[^<]*<\/system-\1>/g, '') + '\n' + ' '.repeat(10) + close,
  );
  const lower = (tag: string, attrs: string[]) => {
    xml = xml.replace(new RegExp(`<${tag} [^>]*>`), (open) => attrs.reduce(
      (o, attr) => o.replace(new RegExp(`\\b${attr}="(\\d+)"`), (_m, n: string) => `${attr}="${Math.max(0, Number(n) - removed)}"`), open));
  };
  lower('testsuites', ['tests', 'disabled']);
  lower('testsuite', ['tests', 'skipped']);
  writeFileSync(file, xml);
}
