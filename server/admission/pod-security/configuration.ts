// PodSecurityConfiguration (pod-security.admission.config.k8s.io/v1, also v1beta1 and v1alpha1):
// the policy of namespaces without labels, and the users, namespaces and runtime classes exempt.
// Unset defaults are privileged:latest, as kube's SetDefaults_PodSecurityDefaults.
import { parseLevel, parseVersion, type Policy } from './policy.js';

export interface PodSecurityExemptions { usernames: string[]; namespaces: string[]; runtimeClasses: string[] }

export interface PodSecurityConfiguration { defaults: Policy; exemptions: PodSecurityExemptions }

const kinds = ['pod-security.admission.config.k8s.io/v1', 'pod-security.admission.config.k8s.io/v1beta1', 'pod-security.admission.config.k8s.io/v1alpha1'];

export function podSecurityConfiguration(raw: Record<string, unknown> | undefined): PodSecurityConfiguration {
  const cfg = (raw ?? {}) as { apiVersion?: string; kind?: string; defaults?: Record<string, string>; exemptions?: Partial<PodSecurityExemptions> };
  if (raw && (cfg.kind !== 'PodSecurityConfiguration' || !kinds.includes(cfg.apiVersion ?? ''))) {
    throw new Error(`PodSecurity configuration: expected a PodSecurityConfiguration of ${kinds.join(', ')}, got ${cfg.apiVersion ?? ''}/${cfg.kind ?? ''}`);
  }
  const d = cfg.defaults ?? {};
  const errors: string[] = [];
  const level = (key: string) => {
    const r = parseLevel(d[key] || 'privileged');
    if (r.error) errors.push(`defaults.${key}: ${r.error}`);
    return r.level;
  };
  const version = (key: string) => {
    const r = parseVersion(d[key] || 'latest');
    if (r.error) errors.push(`defaults.${key}: ${r.error}`);
    return r.version;
  };
  const defaults: Policy = {
    enforce: { level: level('enforce'), version: version('enforce-version') },
    audit: { level: level('audit'), version: version('audit-version') },
    warn: { level: level('warn'), version: version('warn-version') },
  };
  if (errors.length) throw new Error(`PodSecurity configuration: ${errors.join('; ')}`);
  const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : []);
  return {
    defaults,
    exemptions: { usernames: list(cfg.exemptions?.usernames), namespaces: list(cfg.exemptions?.namespaces), runtimeClasses: list(cfg.exemptions?.runtimeClasses) },
  };
}
