// A namespace's Pod Security policy (k8s.io/pod-security-admission/api): a level and a version for
// each of enforce, audit and warn, from the namespace's pod-security.kubernetes.io/* labels over
// the configured defaults; label errors are kube's field errors on metadata.labels[...].
import { field, type FieldError } from '../../api/errors.js';
import type { Level } from './check.js';

/** v1.<minor>, or latest (always the newest, even newer than any future version). */
export interface Version { latest: boolean; minor: number }

export interface LevelVersion { level: Level; version: Version }

export interface Policy { enforce: LevelVersion; audit: LevelVersion; warn: LevelVersion }

export const latest: Version = { latest: true, minor: 0 };

export const labelPrefix = 'pod-security.kubernetes.io/';
export const labels = {
  enforce: `${labelPrefix}enforce`, enforceVersion: `${labelPrefix}enforce-version`,
  audit: `${labelPrefix}audit`, auditVersion: `${labelPrefix}audit-version`,
  warn: `${labelPrefix}warn`, warnVersion: `${labelPrefix}warn-version`,
};

const levels: Level[] = ['privileged', 'baseline', 'restricted'];

export const versionString = (v: Version): string => (v.latest ? 'latest' : `v1.${v.minor}`);
export const levelVersionString = (lv: LevelVersion): string => `${lv.level}:${versionString(lv.version)}`;
export const sameLevelVersion = (a: LevelVersion, b: LevelVersion): boolean =>
  a.level === b.level && a.version.latest === b.version.latest && a.version.minor === b.version.minor;
const equivalent = (a: LevelVersion, b: LevelVersion): boolean => (a.level === 'privileged' && b.level === 'privileged') || sameLevelVersion(a, b);
export const equivalentPolicies = (a: Policy, b: Policy): boolean => equivalent(a.enforce, b.enforce) && equivalent(a.audit, b.audit) && equivalent(a.warn, b.warn);
export const fullyPrivileged = (p: Policy): boolean => p.enforce.level === 'privileged' && p.audit.level === 'privileged' && p.warn.level === 'privileged';

/** -1, 0 or 1 as a is less, as or more restrictive than b. */
export function compareLevels(a: Level, b: Level): number {
  return Math.sign(levels.indexOf(a) - levels.indexOf(b));
}

export function parseLevel(s: string): { level: Level; error?: string } {
  if ((levels as string[]).includes(s)) return { level: s as Level };
  return { level: 'restricted', error: `must be one of ${levels.join(', ')}` };
}

const versionPattern = /^v1\.([0-9]|[1-9][0-9]*)$/;

export function parseVersion(s: string): { version: Version; error?: string } {
  if (s === 'latest') return { version: latest };
  const m = versionPattern.exec(s);
  const minor = m ? Number(m[1]) : NaN;
  if (!m || !Number.isSafeInteger(minor)) return { version: latest, error: 'must be "latest" or "v1.x"' };
  return { version: { latest: false, minor } };
}

export const privilegedPolicy = (): Policy => ({
  enforce: { level: 'privileged', version: latest }, audit: { level: 'privileged', version: latest }, warn: { level: 'privileged', version: latest },
});

/** kube's PolicyToEvaluate: labels over defaults; a warn level follows a stricter enforce level when not set itself. */
export function policyToEvaluate(nsLabels: Record<string, string> | undefined, defaults: Policy): { policy: Policy; errors: FieldError[] } {
  const p: Policy = structuredClone(defaults);
  const errors: FieldError[] = [];
  if (!nsLabels || !Object.keys(nsLabels).length) return { policy: p, errors };
  const bad = (label: string, value: string, error?: string) => {
    if (error) errors.push(field.invalid(`metadata.labels[${label}]`, value, error));
  };
  let hasEnforceLevel = false;
  const has = (k: string) => Object.hasOwn(nsLabels, k);
  if (has(labels.enforce)) {
    const r = parseLevel(nsLabels[labels.enforce]);
    p.enforce.level = r.level;
    hasEnforceLevel = !r.error; // no warn defaulting from a level that is wrong
    bad(labels.enforce, nsLabels[labels.enforce], r.error);
  }
  if (has(labels.enforceVersion)) {
    const r = parseVersion(nsLabels[labels.enforceVersion]);
    p.enforce.version = r.version;
    bad(labels.enforceVersion, nsLabels[labels.enforceVersion], r.error);
  }
  if (has(labels.audit)) {
    const r = parseLevel(nsLabels[labels.audit]);
    p.audit.level = r.error ? 'privileged' : r.level; // audit fails open
    bad(labels.audit, nsLabels[labels.audit], r.error);
  }
  if (has(labels.auditVersion)) {
    const r = parseVersion(nsLabels[labels.auditVersion]);
    p.audit.version = r.version;
    bad(labels.auditVersion, nsLabels[labels.auditVersion], r.error);
  }
  const hasWarnLevel = has(labels.warn);
  const hasWarnVersion = has(labels.warnVersion);
  if (hasWarnLevel) {
    const r = parseLevel(nsLabels[labels.warn]);
    p.warn.level = r.error ? 'privileged' : r.level; // warn fails open
    bad(labels.warn, nsLabels[labels.warn], r.error);
  }
  if (hasWarnVersion) {
    const r = parseVersion(nsLabels[labels.warnVersion]);
    p.warn.version = r.version;
    bad(labels.warnVersion, nsLabels[labels.warnVersion], r.error);
  }
  if (!hasWarnLevel && hasEnforceLevel && compareLevels(p.enforce.level, p.warn.level) > 0) {
    p.warn.level = p.enforce.level;
    if (!hasWarnVersion) p.warn.version = { ...p.enforce.version };
  }
  return { policy: p, errors };
}
