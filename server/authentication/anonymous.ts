// Which requests may be anonymous: --anonymous-auth (kube's flag: every path, authorization decides),
// narrowed by an AuthenticationConfiguration (--authentication-config) whose anonymous.conditions
// list the only paths anonymous requests may use (kube 1.32+; the launcher allows health, version
// and the service-account issuer's discovery documents).
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { SecurityConfig } from '../config.js';

export function anonymousPaths(sec: SecurityConfig): (path: string) => boolean {
  if (!sec.anonymousAuth) return () => false;
  if (!sec.authenticationConfigFile) return () => true;
  const doc = parse(readFileSync(sec.authenticationConfigFile, 'utf8')) as { kind?: string; anonymous?: { enabled?: boolean; conditions?: { path?: string }[] } } | null;
  if (doc?.kind !== 'AuthenticationConfiguration') throw new Error(`--authentication-config ${sec.authenticationConfigFile}: not an AuthenticationConfiguration`);
  const anon = doc.anonymous;
  if (!anon) return () => true;
  if (anon.enabled === false) return () => false;
  const paths = new Set((anon.conditions ?? []).map((c) => c.path).filter((p): p is string => !!p));
  if (!paths.size) return () => true;
  return (path) => paths.has(path);
}
