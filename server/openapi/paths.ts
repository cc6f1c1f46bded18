// The OpenAPI paths of one resource, shaped like kube-apiserver's: every operation names its
// group-version-kind, and writes take dryRun/fieldManager/fieldValidation — kubectl's query-param
// verifier looks for fieldValidation on PATCH before it trusts the server to validate fields.
import type { ResourceType } from '../registry/types.js';

type Param = { name: string; in: string; description: string; type: string; required?: boolean };

const param = {
  dryRun: { name: 'dryRun', in: 'query', type: 'string', description: 'When present, indicates that modifications should not be persisted. An invalid or unrecognized dryRun directive will result in an error response and no further processing of the request. Valid values are: - All: all dry run stages will be processed' },
  fieldManager: { name: 'fieldManager', in: 'query', type: 'string', description: 'fieldManager is a name associated with the actor or entity that is making these changes. The value must be less than or 128 characters long, and only contain printable characters, as defined by https://golang.org/pkg/unicode/#IsPrint.' },
  fieldValidation: { name: 'fieldValidation', in: 'query', type: 'string', description: 'fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered.' },
  force: { name: 'force', in: 'query', type: 'boolean', description: 'Force is going to "force" Apply requests. It means user will re-acquire conflicting fields owned by other people. Force flag must be unset for non-apply patch requests.' },
  name: { name: 'name', in: 'path', type: 'string', required: true, description: 'name of the resource' },
  namespace: { name: 'namespace', in: 'path', type: 'string', required: true, description: 'object name and auth scope, such as for teams and projects' },
  pretty: { name: 'pretty', in: 'query', type: 'string', description: "If 'true', then the output is pretty printed." },
  labelSelector: { name: 'labelSelector', in: 'query', type: 'string', description: 'A selector to restrict the list of returned objects by their labels. Defaults to everything.' },
  fieldSelector: { name: 'fieldSelector', in: 'query', type: 'string', description: 'A selector to restrict the list of returned objects by their fields. Defaults to everything.' },
  limit: { name: 'limit', in: 'query', type: 'integer', description: 'limit is a maximum number of responses to return for a list call.' },
  continue: { name: 'continue', in: 'query', type: 'string', description: 'The continue option should be set when retrieving more results from the server.' },
  resourceVersion: { name: 'resourceVersion', in: 'query', type: 'string', description: 'resourceVersion sets a constraint on what resource versions a request may be served from.' },
  watch: { name: 'watch', in: 'query', type: 'boolean', description: 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.' },
} satisfies Record<string, Param>;

/** `api/v1`, `apis/apps/v1`: a group-version's path prefix. */
export function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

const patchTypes = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

/** `namespaced` + `Deployment` + `create` -> `createAppsV1NamespacedDeployment`, kube-apiserver's operation ids. */
function operationId(rt: ResourceType, action: string, suffix = ''): string {
  const groupWord = (rt.group ? rt.group.split('.')[0] : 'core').replace(/^./, (c) => c.toUpperCase());
  const version = rt.version.replace(/^./, (c) => c.toUpperCase());
  return `${action}${groupWord}${version}${rt.namespaced ? 'Namespaced' : ''}${rt.kind}${suffix}`;
}

export function resourcePaths(rt: ResourceType, refPrefix: string, v3: boolean): Record<string, unknown> {
  const gvk = { group: rt.group, version: rt.version, kind: rt.kind };
  const ref = (name: string) => ({ $ref: refPrefix + name });
  const asParam = (p: Param): Record<string, unknown> => {
    if (!v3) return { ...p, uniqueItems: true };
    const { type, ...rest } = p;
    return { ...rest, schema: { type, uniqueItems: true } };
  };
  const response = (name: string) => (v3
    ? { 200: { description: 'OK', content: { 'application/json': { schema: ref(name) }, 'application/yaml': { schema: ref(name) } } }, 401: { description: 'Unauthorized' } }
    : { 200: { description: 'OK', schema: ref(name) }, 401: { description: 'Unauthorized' } });
  const op = (action: string, verb: string, params: Param[], returns: string, body?: { schema: Record<string, unknown>; types: string[] }, suffix = '') => {
    const o: Record<string, unknown> = {
      description: `${verb} ${rt.kind}`,
      operationId: operationId(rt, verb, suffix),
      tags: [gvPath(rt.group, rt.version).replace(/^apis?\//, '').replace(/[./]/g, '_')],
      parameters: params.map(asParam),
      responses: response(returns),
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
    };
    if (body) {
      if (v3) o.requestBody = { content: Object.fromEntries(body.types.map((t) => [t, { schema: body.schema }])), required: true };
      else {
        (o.parameters as unknown[]).push({ name: 'body', in: 'body', required: true, schema: body.schema });
        o.consumes = body.types;
      }
    }
    if (!v3) o.produces = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
    return o;
  };
  const writes = [param.dryRun, param.fieldManager, param.fieldValidation];
  const listParams = [param.labelSelector, param.fieldSelector, param.limit, param.continue, param.resourceVersion, param.watch];
  const json = ['application/json', 'application/yaml'];
  const object = { schema: ref(rt.definition), types: json };
  const patch = { schema: { type: 'object' }, types: patchTypes };
  const list = `${rt.definition}List`;
  const status = 'io.k8s.apimachinery.pkg.apis.meta.v1.Status';
  const scope = rt.namespaced ? [param.namespace] : [];
  const base = `/${gvPath(rt.group, rt.version)}${rt.namespaced ? '/namespaces/{namespace}' : ''}/${rt.resource}`;
  const paths: Record<string, unknown> = {};
  paths[base] = {
    get: op('list', 'list', listParams, list),
    post: op('post', 'create', writes, rt.definition, object),
    delete: op('deletecollection', 'deleteCollection', [param.dryRun, ...listParams], status),
    parameters: [...scope, param.pretty].map(asParam),
  };
  paths[`${base}/{name}`] = {
    get: op('get', 'read', [], rt.definition),
    put: op('put', 'replace', writes, rt.definition, object),
    patch: op('patch', 'patch', [...writes, param.force], rt.definition, patch),
    delete: op('delete', 'delete', [param.dryRun], status),
    parameters: [param.name, ...scope, param.pretty].map(asParam),
  };
  // A create-only kind (the review kinds) has the collection's POST and nothing else, as kube documents it.
  if (rt.verbs.length === 1 && rt.verbs[0] === 'create') {
    const { post, parameters } = paths[base] as Record<string, unknown>;
    return { [base]: { post, parameters } };
  }
  if (rt.subresources?.status) {
    paths[`${base}/{name}/status`] = {
      get: op('get', 'read', [], rt.definition, undefined, 'Status'),
      put: op('put', 'replace', writes, rt.definition, object, 'Status'),
      patch: op('patch', 'patch', [...writes, param.force], rt.definition, patch, 'Status'),
      parameters: [param.name, ...scope, param.pretty].map(asParam),
    };
  }
  return paths;
}
