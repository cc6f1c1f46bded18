// The command line of the single-purpose benchmark programs (lb-hop, fanout, audit-cost,
// security-cost, authz): `--name value` or `--name=value`, each flag setting one option; numbers
// where the default is a number, paths resolved, anything unknown refused.
import path from 'node:path';

export function parseFlags<T extends object>(argv: string[], defaults: T, flags: Record<string, keyof T>, paths: (keyof T)[] = []): T {
  const o = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const key = flags[flag];
    if (!key) throw new Error(`unknown option ${argv[i]}`);
    const v = inline ?? argv[++i];
    const out = o as Record<keyof T, unknown>;
    out[key] = typeof defaults[key] === 'number' ? Number(v) : paths.includes(key) ? path.resolve(v) : v;
  }
  return o;
}
