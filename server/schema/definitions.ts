// The built-in OpenAPI definitions (swagger 2.0 shape, kube-apiserver's names, and the same types in
// OpenAPI 3's shape), copied at build time by scripts/gen-schemas.mjs from the official documents of
// the pinned release into server/schema/generated/.
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

/** meta/v1's Quantity: a string in the v2 document, a string or a number on the wire. */
export const quantityDefinition = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

let loaded: { definitions: Record<string, Schema>; v3: Record<string, Schema> } | undefined;

function generated(): { definitions: Record<string, Schema>; v3: Record<string, Schema> } {
  if (!loaded) {
    try {
      loaded = JSON.parse(readFileSync(generatedFile, 'utf8')) as { definitions: Record<string, Schema>; v3: Record<string, Schema> };
      loaded.v3 ??= {};
    } catch (e) {
      throw new Error(`built-in schemas missing (${generatedFile}); run \`node scripts/gen-schemas.mjs\` or \`npm run build\`: ${(e as Error).message}`);
    }
  }
  return loaded;
}

/** Every built-in definition by name (`io.k8s.api.apps.v1.Deployment`), swagger 2.0 shape. */
export function builtinDefinitions(): Record<string, Schema> {
  return generated().definitions;
}

/** The same definitions as kube's OpenAPI 3 documents serve them (refs under #/components/schemas/). */
export function builtinDefinitionsV3(): Record<string, Schema> {
  return generated().v3;
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
