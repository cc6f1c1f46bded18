// The checks in force for a level and version (kube's checkRegistry): each check's implementation for
// that version; restricted adds its own checks to baseline's and drops those it overrides. Baseline
// checks run first, then restricted ones, each in order of id, so messages list reasons as kube does.
import { baselineChecks } from './baseline-checks.js';
import type { Check, CheckPod, CheckResult, Obj, VersionedCheck } from './check.js';
import type { LevelVersion } from './policy.js';
import { restrictedChecks } from './restricted-checks.js';

/** The newest version the checks know; `latest` and newer versions evaluate as this one (kube 1.35). */
const maxMinor = 35;

const byId = (a: Check, b: Check) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const ordered = [...[...baselineChecks].sort(byId), ...[...restrictedChecks].sort(byId)];

/** The implementation of `check` at v1.<minor>: the newest whose minimum version is not after it. */
function versionAt(check: Check, minor: number): VersionedCheck | undefined {
  let found: VersionedCheck | undefined;
  for (const v of check.versions) if (v.minimumMinor <= minor) found = v;
  return found;
}

const cache = new Map<string, CheckPod[]>();

function checksFor(level: 'baseline' | 'restricted', minor: number): CheckPod[] {
  const key = `${level}:${minor}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const overridden = new Set<string>();
  if (level === 'restricted') {
    for (const c of restrictedChecks) for (const id of versionAt(c, minor)?.overrideCheckIDs ?? []) overridden.add(id);
  }
  const fns: CheckPod[] = [];
  for (const c of ordered) {
    if (c.level === 'restricted' && level === 'baseline') continue;
    if (overridden.has(c.id)) continue;
    const v = versionAt(c, minor);
    if (v) fns.push(v.checkPod);
  }
  cache.set(key, fns);
  return fns;
}

export function evaluatePod(lv: LevelVersion, meta: Obj, spec: Obj): CheckResult[] {
  if (lv.level === 'privileged') return [];
  const minor = lv.version.latest ? maxMinor : Math.min(lv.version.minor, maxMinor);
  return checksFor(lv.level, minor).map((check) => check(meta ?? {}, spec ?? {}));
}

export interface AggregateResult { allowed: boolean; reasons: string[]; details: string[] }

export function aggregate(results: CheckResult[]): AggregateResult {
  const reasons: string[] = [];
  const details: string[] = [];
  for (const r of results) {
    if (r.allowed) continue;
    reasons.push(r.forbiddenReason || 'unknown forbidden reason');
    details.push(r.forbiddenDetail ?? '');
  }
  return { allowed: reasons.length === 0, reasons, details };
}

/** "reason (detail), reason (detail)": the text after `violates PodSecurity "<level>:<version>": `. */
export function forbiddenDetail(a: AggregateResult): string {
  return a.reasons.map((r, i) => (a.details[i] ? `${r} (${a.details[i]})` : r)).join(', ');
}

export const forbiddenReason = (a: AggregateResult): string => a.reasons.join(', ');
