// No runtime import cycle in server/: a module graph that loops makes start-up order depend on who
// is imported first. Type-only imports are erased at compile time and do not count.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cluster.js';

/** Relative imports and re-exports that survive compilation (not `import type`, not all-`type` specifiers). */
export function runtimeImports(source: string): string[] {
  const out: string[] = [];
  const statement = /^\s*(?:import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"](\.{1,2}\/[^'"]+)['"]|^\s*import\s+['"](\.{1,2}\/[^'"]+)['"]/gm;
  for (const m of source.matchAll(statement)) {
    if (m[1]) continue;
    const clause = m[2]?.trim() ?? '';
    const named = /^\{([^}]*)\}$/.exec(clause);
    if (named && named[1].split(',').map((s) => s.trim()).filter(Boolean).every((s) => s.startsWith('type '))) continue;
    out.push(m[3] ?? m[4]);
  }
  return out;
}

/** Strongly connected components of more than one module (or a module importing itself), as sorted path lists. */
export function importCycles(files: Map<string, string>): string[][] {
  const graph = new Map<string, string[]>();
  for (const [file, source] of files) {
    graph.set(file, runtimeImports(source).map((spec) => path.posix.join(path.posix.dirname(file), spec.replace(/\.js$/, '.ts'))).filter((f) => files.has(f)));
  }
  // Tarjan's algorithm.
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v)!.includes(v)) cycles.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles.sort((a, b) => a[0].localeCompare(b[0]));
}

function sourcesUnder(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (rel: string): void => {
    for (const e of readdirSync(path.join(repoRoot, rel), { withFileTypes: true })) {
      const p = path.posix.join(rel, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith('.ts') && !p.endsWith('.d.ts')) files.set(p, readFileSync(path.join(repoRoot, p), 'utf8'));
    }
  };
  walk(dir);
  return files;
}

// Cycles another branch is removing, each with why it is still here. Delete the entry when it goes:
// the test fails on a listed cycle that no longer exists, so the list cannot go stale.
const knownCycles: Array<{ modules: string[]; why: string }> = [
];

describe('import cycles', () => {
  it('finds a cycle through several modules, and ignores type-only imports', () => {
    const files = new Map([
      ['s/a.ts', "import { b } from './b.js';"],
      ['s/b.ts', "import {\n  c,\n  type C,\n} from './sub/c.js';"],
      ['s/sub/c.ts', "export { a } from '../a.js';"],
      ['s/d.ts', "import type { A } from './a.js';\nimport { type B } from './b.js';"],
      ['s/e.ts', "import { d } from './d.js';"],
    ]);
    expect(importCycles(files)).toEqual([['s/a.ts', 's/b.ts', 's/sub/c.ts']]);
    files.set('s/a.ts', "import type { b } from './b.js';");
    expect(importCycles(files)).toEqual([]);
    files.set('s/d.ts', "import { e } from './e.js';");
    expect(importCycles(files)).toEqual([['s/d.ts', 's/e.ts']]);
  });

  it('server/ has no runtime import cycle', () => {
    const files = sourcesUnder('server');
    expect(files.size).toBeGreaterThan(100);
    const cycles = importCycles(files).map((c) => c.join(' -> '));
    expect(cycles).toEqual(knownCycles.map((k) => [...k.modules].sort().join(' -> ')));
  });
});
