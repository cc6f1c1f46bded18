// The built-in models generated from @kubernetes/client-node (scripts/gen-schemas.mjs), and the
// names kube-apiserver's OpenAPI gives them (io.k8s.api.apps.v1.DeploymentSpec, ...).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TypeRegistry } from '../registry/registry.js';
import type { ResourceType } from '../registry/types.js';

export interface ModelProperty { type: string; format?: string; description?: string }
export interface Model { description: string; required: string[]; properties: Record<string, ModelProperty> }

const generatedFile = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../server/schema/generated/models.json');

let loaded: Record<string, Model> | undefined;

export function models(): Record<string, Model> {
  if (!loaded) {
    try {
      loaded = (JSON.parse(readFileSync(generatedFile, 'utf8')) as { models: Record<string, Model> }).models;
    } catch (e) {
      throw new Error(`built-in schemas missing (${generatedFile}); run \`npm run build\`: ${(e as Error).message}`);
    }
  }
  return loaded;
}

/** A property type as the client models write it: a scalar, a model, `Array<T>` or `{ [key: string]: T; }`. */
export type TypeRef =
  | { kind: 'scalar'; type: 'string' | 'integer' | 'number' | 'boolean' | 'any' | 'int-or-string' | 'date-time'; format?: string }
  | { kind: 'model'; name: string }
  | { kind: 'array'; items: TypeRef }
  | { kind: 'map'; values: TypeRef };

export function parseType(type: string, format?: string): TypeRef {
  const arr = type.match(/^Array<(.+)>$/);
  if (arr) return { kind: 'array', items: parseType(arr[1]) };
  const map = type.match(/^\{ \[key: string\]: (.+); \}$/);
  if (map) return { kind: 'map', values: parseType(map[1]) };
  switch (type) {
    case 'string': return { kind: 'scalar', type: 'string', format };
    case 'number': return format === 'double' || !format ? { kind: 'scalar', type: 'number', format } : { kind: 'scalar', type: 'integer', format };
    case 'boolean': return { kind: 'scalar', type: 'boolean' };
    case 'Date': return { kind: 'scalar', type: 'date-time', format };
    case 'IntOrString': return { kind: 'scalar', type: 'int-or-string' };
    case 'any': case 'object': return { kind: 'scalar', type: 'any' };
    default: return { kind: 'model', name: type };
  }
}

/** `CoreV1EventSeries` -> `EventSeries`, `V1beta1X` -> `X`. */
export function shortName(className: string): string {
  const m = className.match(/^(?:[A-Z][a-z]+)?V\d+(?:alpha\d+|beta\d+)?(.+)$/);
  return m ? m[1] : className;
}

const metaModels = new Set([
  'V1ObjectMeta', 'V1ListMeta', 'V1LabelSelector', 'V1LabelSelectorRequirement', 'V1OwnerReference', 'V1ManagedFieldsEntry',
  'V1Status', 'V1StatusDetails', 'V1StatusCause', 'V1Condition', 'V1DeleteOptions', 'V1Preconditions', 'V1APIResource',
  'V1APIResourceList', 'V1APIGroup', 'V1APIGroupList', 'V1APIVersions', 'V1GroupVersionForDiscovery', 'V1ServerAddressByClientCIDR', 'V1WatchEvent',
]);

/** The client model class for a resource's kind, or undefined when the client has none. */
export function modelForResource(rt: ResourceType): string | undefined {
  const all = models();
  const ver = rt.version[0].toUpperCase() + rt.version.slice(1);
  const groupWord = rt.group ? rt.group.split('.')[0] : 'core';
  const prefixed = `${groupWord[0].toUpperCase()}${groupWord.slice(1)}${ver}${rt.kind}`;
  if (all[prefixed]) return prefixed;
  const plain = `${ver}${rt.kind}`;
  return all[plain] ? plain : undefined;
}

export function modelRefs(model: Model): string[] {
  const out: string[] = [];
  const walk = (t: TypeRef) => {
    if (t.kind === 'model') out.push(t.name);
    else if (t.kind === 'array') walk(t.items);
    else if (t.kind === 'map') walk(t.values);
  };
  for (const p of Object.values(model.properties)) walk(parseType(p.type, p.format));
  return out;
}

/**
 * kube-apiserver's definition name for every model reachable from a served resource: the
 * resource's package (io.k8s.api.apps.v1) for what it introduces, meta/v1 for apimachinery types.
 */
export function definitionNames(types: TypeRegistry): Map<string, string> {
  const names = new Map<string, string>();
  const all = models();
  for (const m of metaModels) if (all[m]) names.set(m, `io.k8s.apimachinery.pkg.apis.meta.v1.${shortName(m)}`);
  // Core first, so shared types (PodSpec, ...) land in core/v1 as in kube-apiserver.
  const ordered = [...types.all()].sort((a, b) => (a.group === '' ? 0 : 1) - (b.group === '' ? 0 : 1));
  for (const rt of ordered) {
    const root = modelForResource(rt);
    if (!root) continue;
    const pkg = rt.definition.slice(0, rt.definition.lastIndexOf('.'));
    names.set(root, rt.definition);
    const queue = [root];
    while (queue.length) {
      const cls = queue.shift()!;
      const model = all[cls];
      if (!model) continue;
      for (const ref of modelRefs(model)) {
        if (names.has(ref)) continue;
        names.set(ref, `${pkg}.${shortName(ref)}`);
        queue.push(ref);
      }
    }
  }
  return names;
}
