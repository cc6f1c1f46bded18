// The built-in OpenAPI definitions (swagger 2.0 shape, kube-apiserver's names), generated at build
// time by scripts/gen-schemas.mjs from @kubernetes/client-node into server/schema/generated/.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** One OpenAPI schema object, as plain JSON. */
export type Schema = {
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  $ref?: string;
  [key: string]: unknown;
};

export const definitionsRef = '#/definitions/';

// Resolved from the repo root, so both server/ (vitest) and dist/server/ (node) find it.
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? '../../..' : '../..');
export const generatedFile = path.join(repoRoot, 'server/schema/generated/definitions.json');

let loaded: Record<string, Schema> | undefined;

/** Every built-in definition by name (`io.k8s.api.apps.v1.Deployment`). */
export function builtinDefinitions(): Record<string, Schema> {
  if (!loaded) {
    try {
      loaded = (JSON.parse(readFileSync(generatedFile, 'utf8')) as { definitions: Record<string, Schema> }).definitions;
    } catch (e) {
      throw new Error(`built-in schemas missing (${generatedFile}); run \`node scripts/gen-schemas.mjs\` or \`npm run build\`: ${(e as Error).message}`);
    }
  }
  return loaded;
}

/** `#/definitions/io.k8s.api.apps.v1.DeploymentSpec` -> `io.k8s.api.apps.v1.DeploymentSpec`. */
export function refName(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1);
}

/** The names a schema refers to, directly. */
export function refsIn(s: Schema, out: string[] = []): string[] {
  if (s.$ref) out.push(refName(s.$ref));
  if (s.items) refsIn(s.items, out);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') refsIn(s.additionalProperties, out);
  if (s.properties) for (const p of Object.values(s.properties)) refsIn(p, out);
  return out;
}

/** The given definitions and everything they reach. */
export function reachable(roots: Iterable<string>, defs: Record<string, Schema>): Set<string> {
  const seen = new Set<string>();
  const queue = [...roots];
  while (queue.length) {
    const name = queue.pop()!;
    if (seen.has(name) || !defs[name]) continue;
    seen.add(name);
    queue.push(...refsIn(defs[name]));
  }
  return seen;
}
