// The top of a V8 CPU profile (node --cpu-prof): self time per function, heaviest first, so a
// missed target comes with where the time went. The .cpuprofile files open in Chrome DevTools too.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

interface ProfileNode { id: number; hitCount?: number; callFrame: { functionName: string; url: string; lineNumber: number } }
interface CpuProfile { nodes: ProfileNode[]; startTime: number; endTime: number }

/** Self time per function as lines "share  ms  function  file:line", heaviest first. */
export function topFunctions(profile: CpuProfile, count = 25): string[] {
  const hits = new Map<string, number>();
  let total = 0;
  for (const n of profile.nodes) {
    const h = n.hitCount ?? 0;
    if (!h) continue;
    const { functionName, url, lineNumber } = n.callFrame;
    const where = url ? `${url.replace(/^file:\/\/.*?\/(dist|node_modules)\//, '$1/')}:${lineNumber + 1}` : '';
    const key = `${functionName || '(anonymous)'}  ${where}`.trim();
    hits.set(key, (hits.get(key) ?? 0) + h);
    total += h;
  }
  const msPerHit = (profile.endTime - profile.startTime) / 1000 / Math.max(1, total);
  return [...hits].sort((a, b) => b[1] - a[1]).slice(0, count)
    .map(([k, h]) => `${((h / total) * 100).toFixed(1).padStart(5)}%  ${(h * msPerHit).toFixed(0).padStart(7)} ms  ${k}`);
}

/** Writes top.txt beside the profiles in `dir`: one section per process. */
export function summarizeProfiles(dir: string): void {
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort();
  const sections = files.map((f) => [`# ${f}`, ...topFunctions(JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as CpuProfile)].join('\n'));
  writeFileSync(path.join(dir, 'top.txt'), sections.join('\n\n') + '\n');
}
