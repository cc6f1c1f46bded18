// OpenAPI v2 and v3 documents derived from the type registry and the generated models.
import { createHash } from 'node:crypto';
import { apiVersionOf } from '../api/object.js';
import type { TypeRegistry } from '../registry/registry.js';
import type { ResourceType } from '../registry/types.js';
import { definitionNames, type Model, modelForResource, models, parseType, type TypeRef } from '../schema/models.js';

type Schema = Record<string, unknown>;

function schemaOf(t: TypeRef, names: Map<string, string>, refPrefix: string, v3: boolean): Schema {
  switch (t.kind) {
    case 'model': {
      const name = names.get(t.name);
      if (!name) return { type: 'object' };
      return { $ref: refPrefix + name };
    }
    case 'array': return { type: 'array', items: schemaOf(t.items, names, refPrefix, v3) };
    case 'map': return { type: 'object', additionalProperties: schemaOf(t.values, names, refPrefix, v3) };
    default:
      switch (t.type) {
        case 'any': return { type: 'object' };
        case 'int-or-string': return v3 ? { 'x-kubernetes-int-or-string': true } : { type: 'string', format: 'int-or-string' };
        case 'date-time': return { type: 'string', format: t.format === 'date-time-micro' ? 'date-time' : 'date-time' };
        case 'integer': return { type: 'integer', format: t.format ?? 'int32' };
        case 'number': return t.format ? { type: 'number', format: t.format } : { type: 'number' };
        default: return t.format ? { type: t.type, format: t.format } : { type: t.type };
      }
  }
}

function definition(model: Model, names: Map<string, string>, refPrefix: string, v3: boolean): Schema {
  const properties: Record<string, Schema> = {};
  for (const [prop, p] of Object.entries(model.properties)) {
    let s = schemaOf(parseType(p.type, p.format), names, refPrefix, v3);
    // As kube-apiserver's v3 documents do: a described reference is wrapped in allOf.
    if (s.$ref && v3) s = { allOf: [s], default: {} };
    if (p.description) s = { ...s, description: p.description };
    properties[prop] = s;
  }
  const def: Schema = { type: 'object', properties };
  if (model.description) def.description = model.description;
  if (model.required.length) def.required = model.required;
  return def;
}

export interface OpenAPIDocs {
  v2: string;
  /** `api/v1`, `apis/apps/v1` -> document text, with its hash. */
  v3: Map<string, { body: string; hash: string }>;
  v3Index: string;
}

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

function hash(s: string): string {
  return createHash('sha512').update(s).digest('hex').slice(0, 128).toUpperCase();
}

const queryParams = {
  dryRun: { name: 'dryRun', in: 'query', description: 'When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed', schema: { type: 'string' }, type: 'string', uniqueItems: true },
  fieldManager: { name: 'fieldManager', in: 'query', description: 'fieldManager is a name associated with the actor or entity that is making these changes.', schema: { type: 'string' }, type: 'string', uniqueItems: true },
  fieldValidation: { name: 'fieldValidation', in: 'query', description: 'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore - Warn (default) - Strict', schema: { type: 'string' }, type: 'string', uniqueItems: true },
  force: { name: 'force', in: 'query', description: 'Force is going to "force" Apply requests.', schema: { type: 'boolean' }, type: 'boolean', uniqueItems: true },
};

function v2Param(p: Record<string, unknown>): Record<string, unknown> {
  const { schema: _s, ...rest } = p;
  void _s;
  return rest;
}

/** The paths of one resource, PATCH with fieldValidation as kubectl's query-param verifier looks for. */
function resourcePaths(rt: ResourceType, defName: string, refPrefix: string, v3: boolean): Record<string, unknown> {
  const gvk = { group: rt.group, version: rt.version, kind: rt.kind };
  const base = `/${gvPath(rt.group, rt.version)}${rt.namespaced ? '/namespaces/{namespace}' : ''}/${rt.resource}`;
  const param = (p: Record<string, unknown>) => (v3 ? p : v2Param(p));
  const ref = { $ref: refPrefix + defName };
  const op = (action: string, params: Array<Record<string, unknown>>, body: boolean, extra: Record<string, unknown> = {}) => {
    const o: Record<string, unknown> = {
      operationId: `${action}${rt.kind}`,
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
      parameters: params.map(param),
      responses: v3 ? { 200: { description: 'OK', content: { 'application/json': { schema: ref } } } } : { 200: { description: 'OK', schema: ref } },
      ...extra,
    };
    if (body) {
      if (v3) o.requestBody = { content: { 'application/json': { schema: ref } }, required: true };
      else (o.parameters as unknown[]).push({ name: 'body', in: 'body', required: true, schema: ref });
    }
    return o;
  };
  const writeParams = [queryParams.dryRun, queryParams.fieldManager, queryParams.fieldValidation];
  const paths: Record<string, unknown> = {};
  paths[base] = { get: op('list', [], false), post: op('post', writeParams, true), delete: op('deletecollection', [queryParams.dryRun], false) };
  const item: Record<string, unknown> = {
    get: op('get', [], false), put: op('put', writeParams, true), delete: op('delete', [queryParams.dryRun], false),
    patch: op('patch', [...writeParams, queryParams.force], false, v3
      ? { requestBody: { content: { 'application/json-patch+json': { schema: { type: 'object' } }, 'application/merge-patch+json': { schema: { type: 'object' } }, 'application/strategic-merge-patch+json': { schema: { type: 'object' } }, 'application/apply-patch+yaml': { schema: { type: 'object' } } }, required: true } }
      : { consumes: ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'] }),
  };
  paths[`${base}/{name}`] = item;
  if (rt.subresources?.status) paths[`${base}/{name}/status`] = { get: op('get', [], false), put: op('put', writeParams, true), patch: op('patch', [...writeParams, queryParams.force], false) };
  return paths;
}

export function buildOpenAPI(types: TypeRegistry): OpenAPIDocs {
  const all = models();
  const names = definitionNames(types);
  const gvkOf = new Map<string, Array<{ group: string; version: string; kind: string }>>();
  for (const rt of types.all()) {
    const cls = modelForResource(rt);
    if (!cls) continue;
    const list = gvkOf.get(cls) ?? [];
    list.push({ group: rt.group, version: rt.version, kind: rt.kind });
    gvkOf.set(cls, list);
  }
  const makeDefs = (refPrefix: string, v3: boolean, only?: Set<string>) => {
    const defs: Record<string, Schema> = {};
    for (const [cls, name] of names) {
      if (only && !only.has(cls)) continue;
      const model = all[cls];
      if (!model) continue;
      const def = definition(model, names, refPrefix, v3);
      const gvks = gvkOf.get(cls);
      if (gvks) def['x-kubernetes-group-version-kind'] = gvks;
      defs[name] = def;
    }
    return defs;
  };

  // v2: one document with everything.
  const v2Paths: Record<string, unknown> = {};
  for (const rt of types.all()) {
    const cls = modelForResource(rt);
    if (cls && names.has(cls)) Object.assign(v2Paths, resourcePaths(rt, names.get(cls)!, '#/definitions/', false));
  }
  const v2 = JSON.stringify({
    swagger: '2.0', info: { title: 'Kubernetes', version: 'v1.35.0' }, paths: v2Paths, definitions: makeDefs('#/definitions/', false),
  });

  // v3: one document per group-version, with the schemas its kinds reach.
  const v3 = new Map<string, { body: string; hash: string }>();
  for (const g of types.allGroups()) {
    for (const version of g.versions) {
      const reach = new Set<string>();
      const paths: Record<string, unknown> = {};
      for (const rt of types.resourcesIn(g.name, version)) {
        const cls = modelForResource(rt);
        if (!cls || !names.has(cls)) continue;
        Object.assign(paths, resourcePaths(rt, names.get(cls)!, '#/components/schemas/', true));
        const queue = [cls];
        while (queue.length) {
          const c = queue.pop()!;
          if (reach.has(c)) continue;
          reach.add(c);
          const m = all[c];
          if (!m) continue;
          for (const p of Object.values(m.properties)) {
            const walk = (t: TypeRef): void => {
              if (t.kind === 'model') queue.push(t.name);
              else if (t.kind === 'array') walk(t.items);
              else if (t.kind === 'map') walk(t.values);
            };
            walk(parseType(p.type, p.format));
          }
        }
      }
      const body = JSON.stringify({
        openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.35.0' }, paths,
        components: { schemas: makeDefs('#/components/schemas/', true, reach) },
      });
      v3.set(gvPath(g.name, version), { body, hash: hash(body) });
    }
  }
  const index: Record<string, { serverRelativeURL: string }> = {};
  for (const [p, d] of v3) index[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${d.hash}` };
  void apiVersionOf;
  return { v2, v3, v3Index: JSON.stringify({ paths: index }) };
}
