// summary.md: one row per spec, one column per target (this project, and kube-apiserver with --peer), a
// failure's first line beside it, and the specs that pass on kube-apiserver but not here listed apart.
import type { SpecResult, TargetSummary } from './reports.js';

export interface Column { target: string; seconds: number; summary: TargetSummary }

const mark = (s?: SpecResult) => (!s ? '—' : s.state === 'passed' ? 'pass' : s.state === 'skipped' ? 'skip' : `**${s.state === 'failed' ? 'FAIL' : s.state}**`);
const reason = (s?: SpecResult) => (s?.failure ?? '').split('\n').map((l) => l.trim()).filter(Boolean)[0]?.slice(0, 240) ?? '';
const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/</g, '&lt;');

export function markdownSummary(columns: Column[], run: { date: Date; focus: string; skip: string; command: string }): string {
  const out: string[] = [
    `# Conformance: ${columns.map((c) => c.target).join(' vs ')}`, '',
    `${run.date.toISOString()} — \`${run.command}\` — kube's e2e.test v1.35.0 with the real kube-controller-manager, kube-scheduler and kwok nodes.`, '',
    `Focus \`${run.focus}\`, skip \`${run.skip}\`.`, '',
    '| target | passed | failed | skipped | total | minutes |', '|---|---|---|---|---|---|',
    ...columns.map((c) => `| ${c.target} | ${c.summary.passed} | ${c.summary.failed} | ${c.summary.skipped} | ${c.summary.total} | ${(c.seconds / 60).toFixed(1)} |`),
    '',
  ];
  const byName = columns.map((c) => new Map(c.summary.specs.map((s) => [s.name, s])));
  const names = [...new Set(columns.flatMap((c) => c.summary.specs.map((s) => s.name)))].sort();
  out.push(`| spec | ${columns.map((c) => c.target).join(' | ')} | failure (${columns[0].target}) |`, `|---|${columns.map(() => '---|').join('')}---|`);
  for (const name of names) {
    const first = byName[0].get(name);
    out.push(`| ${cell(name)} | ${byName.map((m) => mark(m.get(name))).join(' | ')} | ${first?.state === 'passed' ? '' : cell(reason(first))} |`);
  }
  if (columns.length > 1) {
    const gaps = names.filter((n) => byName[1].get(n)?.state === 'passed' && byName[0].get(n)?.state !== 'passed');
    out.push('', `## Passes on ${columns[1].target}, not on ${columns[0].target} (${gaps.length})`, '');
    for (const n of gaps) out.push(`- ${n}: ${reason(byName[0].get(n)) || byName[0].get(n)?.state || 'not run'}`);
  }
  for (const c of columns) if (c.summary.suiteFailure) out.push('', `**${c.target}: the suite failed outside any spec:** ${cell(c.summary.suiteFailure.split('\n')[0])}`);
  return out.join('\n') + '\n';
}
