// Every regular expression in server/ and lb/ (and the format checks CRD values go through) runs in
// linear time: a static sweep of the sources finds each literal and `new RegExp`, so a new one is
// covered without anyone listing it, and each is fed adversarial inputs of 10–100 KB built from what
// the pattern repeats (long runs of its characters and literals, then a tail that does not match).
// A pattern built at run time from a request must go through Go's regexp (server/validation/go-regexp.ts).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { trimRight } from '../../server/api/trim.js';
import { jsonPathTokens } from '../../server/apiextensions/printer-columns.js';
import { compileGoRegexp } from '../../server/validation/go-regexp.js';
import { fastestMs } from '../support/timing.js';

/** Patterns applied to trusted input only (or never), each with the reason; keep this short. */
const allowList: Array<{ file: string; pattern: string; reason: string }> = [
  { file: 'node_modules/ajv-formats/dist/formats.js', pattern: '^(?:https?|ftp):', reason: 'the `url` format: not one kube checks, so schema.ts never hands it to ajv (checkedFormats)' },
];

/** `new RegExp(...)` built from something other than a literal: none may be, unless listed with a reason. */
const dynamicAllowList: Array<{ file: string; reason: string }> = [
  { file: 'node_modules/ajv-formats/dist/formats.js', reason: 'the `regex` format: not one kube checks, so schema.ts never hands it to ajv (checkedFormats)' },
];

// Far above linear work on 100 KB, even on a busy machine (the fastest of three runs counts), far below what
// the super-linear patterns took at these sizes (seconds and more).
const budgetMs = 250;
/** The bound of the screen at 8 to 2048 characters, where an exponential pattern shows. */
const screenBudgetMs = 50;
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Found { where: string; source: string; flags: string }

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...sourceFiles(full));
    else if (/\.(ts|js)$/.test(name) && !name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** Regex literals and `RegExp(...)` calls in one file, from its syntax tree (comments and strings are not regexes). */
function regexesIn(file: string): { found: Found[]; dynamic: string[] } {
  const text = readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const rel = path.relative(repoRoot, file);
  const found: Found[] = [];
  const dynamic: string[] = [];
  const where = (n: ts.Node) => `${rel}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
  const visit = (n: ts.Node): void => {
    if (n.kind === ts.SyntaxKind.RegularExpressionLiteral) {
      const literal = n.getText();
      const end = literal.lastIndexOf('/');
      found.push({ where: where(n), source: literal.slice(1, end), flags: literal.slice(end + 1) });
    } else if ((ts.isNewExpression(n) || ts.isCallExpression(n)) && ts.isIdentifier(n.expression) && n.expression.text === 'RegExp') {
      const [pattern, flags] = n.arguments ?? [];
      const constant = (e: ts.Expression | undefined) => (e && (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) ? e.text : undefined);
      if (constant(pattern) !== undefined && (flags === undefined || constant(flags) !== undefined)) {
        found.push({ where: where(n), source: constant(pattern)!, flags: constant(flags) ?? '' });
      } else {
        dynamic.push(where(n));
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return { found, dynamic };
}

// ---- adversarial inputs -------------------------------------------------------------------------

const alphabet = [...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)), '\t', '\n', '\r', 'é', 'µ', 'μ', '\u2028', '😀'];

/** The pattern's atoms, roughly: literal runs, escapes, classes and dots, each with a few characters it matches. */
function samples(source: string, flags: string): { chars: string[]; literals: string[]; witness: string } {
  const f = flags.replace(/[gy]/g, '');
  const chars = new Set<string>();
  const literals: string[] = [];
  let witness = '';
  let run = '';
  const endRun = () => { if (run) literals.push(run); run = ''; };
  const members = (atom: string, max: number) => {
    let re: RegExp;
    try { re = new RegExp(`^(?:${atom})$`, f); } catch { return []; }
    const all = alphabet.filter((c) => re.test(c));
    return all.length <= max ? all : [all[0], all[Math.floor(all.length / 2)], all[all.length - 1]];
  };
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\') {
      const next = source[i + 1] ?? '';
      let atom = c + next;
      if (next === 'u' && source[i + 2] === '{') atom = source.slice(i, source.indexOf('}', i) + 1);
      else if (next === 'u') atom = source.slice(i, i + 6);
      else if (next === 'x') atom = source.slice(i, i + 4);
      else if (next === 'p' || next === 'P') atom = source.slice(i, source.indexOf('}', i) + 1);
      i += atom.length - 1;
      const m = members(atom, 3);
      if (/^\\[dDwWsSpPbB]/.test(atom)) endRun(); else if (m.length === 1) run += m[0];
      for (const x of m) chars.add(x);
      witness += m[0] ?? '';
    } else if (c === '[') {
      endRun();
      let j = i + 1;
      if (source[j] === '^') j++;
      if (source[j] === ']') j++;
      for (; j < source.length && source[j] !== ']'; j++) if (source[j] === '\\') j++;
      const m = members(source.slice(i, j + 1), 3);
      for (const x of m) chars.add(x);
      witness += m[0] ?? '';
      i = j;
    } else if (c === '.') {
      endRun();
      chars.add('a');
      witness += 'a';
    } else if (c === '{' && /^\{\d*,?\d*\}/.test(source.slice(i))) {
      endRun();
      i = source.indexOf('}', i);
    } else if ('()|*+?^$'.includes(c)) {
      if (c === '(' && source[i + 1] === '?') i += source[i + 2] === '<' && source[i + 3] !== '=' && source[i + 3] !== '!' ? source.indexOf('>', i) - i : 2;
      endRun();
    } else {
      run += c;
      chars.add(f.includes('i') ? c.toLowerCase() : c);
      witness += c;
    }
  }
  endRun();
  return { chars: [...chars].slice(0, 14), literals: [...new Set(literals)].slice(0, 10), witness };
}

/** Units to repeat: each character, each pair, and the literals with characters around them. */
function units(source: string, flags: string): { units: string[]; prefixes: string[]; tails: string[] } {
  const { chars, literals, witness } = samples(source, flags);
  const out = new Set<string>(chars);
  for (const a of chars) for (const b of chars) out.add(a + b);
  for (const l of literals) {
    out.add(l);
    for (const c of chars) { out.add(c + l); out.add(c + c + l); out.add(l + c); }
  }
  // Anchored patterns are only worked hard once a prefix of a match gets them going.
  const prefixes = source.startsWith('^') ? [...new Set([0, 1, 2, 3, 4, 6, 8].map((k) => witness.slice(0, k)))] : [''];
  const tails = ['', '\u0000', '!', '\n'];
  return { units: [...out], prefixes, tails };
}

function input(prefix: string, unit: string, size: number, tail: string): string {
  return prefix + unit.repeat(Math.max(1, Math.ceil(size / unit.length))) + tail;
}

/** Runs the pattern as the code may: a search, and (global) a replace over the whole input. */
function runOnce(re: RegExp, global: RegExp, s: string): number {
  const started = performance.now();
  re.lastIndex = 0;
  re.test(s);
  s.replace(global, '');
  return performance.now() - started;
}

/**
 * A borderline run is run twice more and the fastest counts: a GC pause or a busy machine is no backtracking.
 * One far over the budget is not run again (a blow-up would only hold the test longer).
 */
function run(re: RegExp, global: RegExp, s: string, budget: number): number {
  let ms = runOnce(re, global, s);
  for (let i = 0; i < 2 && ms > budget / 5 && ms < 4 * budget; i++) ms = Math.min(ms, runOnce(re, global, s));
  return ms;
}

interface Slow { input: string; ms: number }

/** The slowest inputs for the pattern at 10 and 100 KB, after a screen at small sizes that stops at the first blow-up. */
function worstCase(source: string, flags: string): Slow {
  const re = new RegExp(source, flags.replace(/[gy]/g, ''));
  const global = new RegExp(source, flags.replace(/y/g, '').replace('g', '') + 'g');
  const { units: us, prefixes, tails } = units(source, flags);
  let candidates: Array<{ prefix: string; unit: string; tail: string; ms: number }> = [];
  for (const prefix of prefixes) for (const unit of us) for (const tail of tails) candidates.push({ prefix, unit, tail, ms: 0 });
  // Growing by small steps: an exponential pattern shows at a few dozen characters, before it could hang the test
  // (so the screen's bound is low: linear work on 2 KB is microseconds, and the next step would be 256 times slower).
  for (const size of [8, 16, 24, 32, 48, 64, 128, 512, 2048]) {
    for (const c of candidates) {
      const s = input(c.prefix, c.unit, size, c.tail);
      c.ms = run(re, global, s, screenBudgetMs);
      if (c.ms > screenBudgetMs) return { input: s, ms: Math.max(c.ms, budgetMs + 1) };
    }
    if (size >= 512) candidates = candidates.sort((a, b) => b.ms - a.ms).slice(0, size === 512 ? 60 : 6);
  }
  let worst: Slow = { input: '', ms: 0 };
  // 30 KB between: a quadratic pattern passes the bound there, before 100 KB would hold the test for seconds.
  for (const size of [10_000, 30_000, 100_000]) {
    for (const c of candidates) {
      const s = input(c.prefix, c.unit, size, c.tail);
      const ms = run(re, global, s, budgetMs);
      if (ms > worst.ms) worst = { input: s, ms };
      if (ms > budgetMs) return worst;
    }
  }
  return worst;
}

const describeInput = (s: string) => `${JSON.stringify(s.slice(0, 24))}… (${s.length} chars)`;

// ---- the sweep ----------------------------------------------------------------------------------

const files = [...sourceFiles(path.join(repoRoot, 'server')), ...sourceFiles(path.join(repoRoot, 'lb')),
  // the checks ajv-formats applies to CRD values (server/apiextensions/schema.ts enables them)
  path.join(repoRoot, 'node_modules/ajv-formats/dist/formats.js')];
const swept = files.map(regexesIn);
const patterns = swept.flatMap((s) => s.found);

describe('every regular expression in server/ and lb/ runs in linear time', () => {
  it('finds the patterns (the sweep itself works)', () => {
    expect(patterns.length).toBeGreaterThan(40);
    expect(patterns.some((p) => p.where.startsWith('server/validation/names.ts'))).toBe(true);
    expect(patterns.some((p) => p.where.startsWith('lb/'))).toBe(true);
  });

  it('builds no RegExp at run time from something that is not a constant (request input goes through Go\'s regexp)', () => {
    const dynamic = swept.flatMap((s) => s.dynamic).filter((w) => !dynamicAllowList.some((a) => w.startsWith(`${a.file}:`)));
    expect(dynamic).toEqual([]);
  });

  // One test per pattern: each holds its worker's event loop while it runs, so each stays short.
  it.each(['^(a+)+$', '^((?:\\d+\\.?\\d*|\\.\\d+)(?:ms|s|m|h))+$', '\\/+$', '^([^=!]+?)\\s*(==|=|!=)\\s*(.*)$'])(
    'catches the backtracking pattern /%s/ (the probe itself works)', (pattern) => {
      expect(worstCase(pattern, '').ms).toBeGreaterThan(budgetMs);
    }, 60_000);

  // One test per file, so a failure names it.
  const byFile = new Map<string, Found[]>();
  for (const p of patterns) {
    const file = p.where.slice(0, p.where.lastIndexOf(':'));
    byFile.set(file, [...(byFile.get(file) ?? []), p]);
  }
  for (const [file, found] of byFile) {
    it(`${file}: no input of 10–100 KB holds a match for ${budgetMs} ms`, () => {
      const slow: string[] = [];
      for (const p of found) {
        if (allowList.some((a) => p.where.startsWith(`${a.file}:`) && p.source.includes(a.pattern))) continue;
        const worst = worstCase(p.source, p.flags);
        if (worst.ms > budgetMs) slow.push(`${p.where} /${p.source}/${p.flags}: ${worst.ms.toFixed(0)} ms on ${describeInput(worst.input)}`);
      }
      if (slow.length) throw new Error(`backtracking patterns:\n${slow.join('\n')}`);
    }, 120_000);
  }
});

describe('the hand-written scanners that replaced backtracking patterns', () => {
  it('trimRight: what /c+$/ removed, in one backward scan', () => {
    for (const [p, c] of [['/apis///', '/'], ['/', '/'], ['', '/'], ['/api/v1', '/'], ['/nonresource/**', '*'], ['1.500', '0']]) {
      expect(trimRight(p, c)).toBe(p.replace(new RegExp(`[${c}]+$`), ''));
    }
    const hostile = '/apis' + '/'.repeat(100_000) + 'x';
    expect(trimRight(hostile, '/')).toBe(hostile);
    expect(fastestMs(() => trimRight(hostile, '/'))).toBeLessThan(budgetMs);
  });

  it('jsonPathTokens: the tokens the old pattern found, on every short path of JSONPath pieces', () => {
    const old = (t: string) => t.match(/\.[^.[\]]+|\[\?\(@\.[^)]*\)\]|\[\d+\]|\['[^']*'\]/g) ?? [];
    const pieces = ['.', '[', ']', '?', '(', '@', ')', "'", '0', 'a', '=', ' ', '[?(@.', "['", '.status', '[0]'];
    let seed = 1;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % pieces.length;
    for (let k = 0; k < 20_000; k++) {
      let t = '';
      for (let i = k % 12; i > 0; i--) t += pieces[next()];
      expect([t, jsonPathTokens(t)]).toEqual([t, old(t)]);
    }
    expect(fastestMs(() => jsonPathTokens('[?(@.'.repeat(20_000) + "['".repeat(20_000)))).toBeLessThan(budgetMs);
  });

  it('Go\'s regexp (CRD patterns) stays linear where JavaScript backtracks', () => {
    for (const [pattern, s] of [['^(a+)+$', 'a'.repeat(100_000) + '!'], ['^(\\w+\\s?)*$', 'word '.repeat(20_000) + '!'], ['(x+x+)+y', 'x'.repeat(100_000)]]) {
      const re = compileGoRegexp(pattern);
      expect(re.test(s)).toBe(false);
      expect(fastestMs(() => re.test(s))).toBeLessThan(5000); // linear: ~1 µs a character in pure JavaScript
    }
  });
});
