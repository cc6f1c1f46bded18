// OpenAPI v2 and v3 documents derived from the type registry and the built-in definitions.
import { createHash } from 'node:crypto';
import type { TypeRegistry } from '../registry/registry.js';
import type { ResourceType } from '../registry/types.js';
import { builtinDefinitions, builtinDefinitionsV3, definitionsRef, reachable, refName, type Schema } from '../schema/definitions.js';
import { customResourceDefinitions } from './custom-definitions.js';
import { gvPath, resourcePaths } from './paths.js';

export interface OpenAPIDocument {
  body: string;
  /** kube-apiserver's hash of the document: the ETag and the `?hash=` of the v3 index. */
  hash: string;
}

export interface OpenAPIDocs {
  v2: OpenAPIDocument;
  /** `api/v1`, `apis/apps/v1` -> document. */
  v3: Map<string, OpenAPIDocument>;
  v3Index: OpenAPIDocument;
}

interface GroupVersionKind { group: string; version: string; kind: string }

const info = { title: 'Kubernetes', version: 'v1.35.0' };
const v3Ref = '#/components/schemas/';
const metaV1 = 'io.k8s.apimachinery.pkg.apis.meta.v1';
/** Served in every document, as kube-apiserver's are: what every group's operations answer with. */
const commonDefinitions = [`${metaV1}.Status`, `${metaV1}.DeleteOptions`, `${metaV1}.APIResourceList`];

function hash(s: string): string {
  return createHash('sha512').update(s).digest('hex').toUpperCase();
}

export function doc(value: unknown): OpenAPIDocument {
  const body = JSON.stringify(value);
  return { body, hash: hash(body) };
}

/** The definitions a resource brings: its kind and its list. */
function kindDefinitions(rt: ResourceType): Array<[string, GroupVersionKind]> {
  const gvk = { group: rt.group, version: rt.version, kind: rt.kind };
  return [[rt.definition, gvk], [`${rt.definition}List`, { ...gvk, kind: rt.listKind }]];
}

/** A swagger 2.0 schema as OpenAPI 3: refs under components, described refs wrapped in allOf as kube-apiserver does. */
function toV3(s: Schema): Schema {
  if (s.$ref) {
    const ref = { $ref: v3Ref + refName(s.$ref) };
    if (s.description === undefined) return ref;
    const { $ref: _ref, ...rest } = s;
    void _ref;
    return { ...rest, allOf: [ref] };
  }
  // Both are strings in v2 and either of two types in v3, as kube-apiserver serves them.
  if (s.format === 'int-or-string') return { ...s, type: undefined, 'x-kubernetes-int-or-string': true, oneOf: [{ type: 'integer' }, { type: 'string' }] };
  if (s.format === 'quantity') return { ...s, type: undefined, format: undefined, oneOf: [{ type: 'string' }, { type: 'number' }] };
  const out: Schema = { ...s };
  if (s.items) out.items = toV3(s.items);
  if (s.additionalProperties && typeof s.additionalProperties === 'object') out.additionalProperties = toV3(s.additionalProperties);
  if (s.properties) {
    out.properties = {};
    for (const [k, v] of Object.entries(s.properties)) out.properties[k] = toV3(v);
  }
  return out;
}

function definitionsFor(names: Set<string>, gvks: Map<string, GroupVersionKind[]>, v3: boolean, all: Record<string, Schema>): Record<string, Schema> {
  const allV3 = builtinDefinitionsV3();
  const out: Record<string, Schema> = {};
  for (const name of [...names].sort()) {
    // kube's own v3 shape where the official documents have it (defaults, oneOf), converted otherwise.
    let def = v3 ? allV3[name] ?? toV3(all[name]) : all[name];
    const kinds = gvks.get(name);
    if (kinds) def = { ...def, 'x-kubernetes-group-version-kind': kinds };
    out[name] = def;
  }
  return out;
}

export function buildOpenAPI(types: TypeRegistry): OpenAPIDocs {
  const all = { ...builtinDefinitions(), ...customResourceDefinitions(types) };
  const allV2 = { ...builtinDefinitions(), ...customResourceDefinitions(types, true) };
  const served = types.all().filter((rt) => (!rt.virtual || rt.inOpenAPI) && all[rt.definition]);
  const gvks = new Map<string, GroupVersionKind[]>();
  for (const rt of served) {
    for (const [name, gvk] of kindDefinitions(rt)) {
      if (!all[name]) continue;
      const list = gvks.get(name) ?? [];
      if (!list.some((g) => g.group === gvk.group && g.version === gvk.version && g.kind === gvk.kind)) list.push(gvk);
      gvks.set(name, list);
    }
  }

  // v2: one document with every served kind.
  const v2Paths: Record<string, unknown> = {};
  for (const rt of served) Object.assign(v2Paths, resourcePaths(rt, definitionsRef, false));
  const v2Names = reachable([...gvks.keys(), ...commonDefinitions], allV2);
  const v2 = doc({ swagger: '2.0', info, paths: v2Paths, definitions: definitionsFor(v2Names, gvks, false, allV2) });

  // v3: one document per group-version with the schemas its kinds reach.
  const v3 = new Map<string, OpenAPIDocument>();
  for (const g of types.allGroups()) {
    for (const version of g.versions) {
      const resources = served.filter((rt) => rt.group === g.name && rt.version === version);
      if (!resources.length) continue;
      const paths: Record<string, unknown> = {};
      for (const rt of resources) Object.assign(paths, resourcePaths(rt, v3Ref, true));
      const roots = resources.flatMap((rt) => kindDefinitions(rt).map(([name]) => name));
      const names = reachable([...roots, ...commonDefinitions], all);
      v3.set(gvPath(g.name, version), doc({ openapi: '3.0.0', info, paths, components: { schemas: definitionsFor(names, gvks, true, all) } }));
    }
  }
  const index: Record<string, { serverRelativeURL: string }> = {};
  for (const [p, d] of v3) index[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${d.hash}` };
  return { v2, v3, v3Index: doc({ paths: index }) };
}
