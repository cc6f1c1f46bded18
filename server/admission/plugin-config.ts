// --admission-control-config-file: an AdmissionConfiguration (apiserver.config.k8s.io/v1, YAML or
// JSON) that gives plugins their configuration by name, inline (`configuration`) or in a file of
// its own (`path`, relative to the AdmissionConfiguration's directory), as kube's ReadAdmissionConfiguration.
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';

interface PluginEntry { name?: string; path?: string; configuration?: unknown }

/** The named plugin's configuration object, or undefined when the file (or the entry) does not configure it. */
export function pluginConfiguration(file: string | undefined, plugin: string): Record<string, unknown> | undefined {
  if (!file) return undefined;
  const doc = parse(readFileSync(file, 'utf8')) as { kind?: string; plugins?: PluginEntry[] } | null;
  if (doc?.kind !== 'AdmissionConfiguration') throw new Error(`${file}: not an AdmissionConfiguration (kind ${doc?.kind ?? 'unset'})`);
  const entry = (doc.plugins ?? []).find((p) => p.name === plugin);
  if (!entry) return undefined;
  if (entry.configuration !== undefined) return entry.configuration as Record<string, unknown>;
  if (!entry.path) return undefined;
  const path = isAbsolute(entry.path) ? entry.path : join(dirname(file), entry.path);
  return parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
}
