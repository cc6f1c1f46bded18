// The built-in schemas (scripts/gen-schemas.mjs output), the validator built on them, and the
// OpenAPI documents served from them.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../server/api/object.js';
import { customResourceTypes } from '../../server/apiextensions/custom-resource-type.js';
import { buildOpenAPI } from '../../server/openapi/build.js';
import { TypeRegistry } from '../../server/registry/registry.js';
import { deployments } from '../../server/resources/apps/deployments.js';
import { configmaps } from '../../server/resources/core/configmaps.js';
import { registerBuiltins, builtinResources } from '../../server/resources/index.js';
import { builtinDefinitions, reachable } from '../../server/schema/definitions.js';
import { validateAgainstSchema } from '../../server/schema/validate.js';

const defs = builtinDefinitions();

function deployment(spec: Record<string, unknown> = {}, podSpec: Record<string, unknown> = { containers: [{ name: 'web', image: 'nginx:1.27' }] }): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: podSpec }, ...spec },
  } as KubeObject;
}

describe('generated definitions', () => {
  it('has every registered kind under the name the registry expects', () => {
    const missing = builtinResources.filter((rt) => !defs[rt.definition]).map((rt) => rt.definition);
    expect(missing).toEqual([]);
  });

  it('names nested types as kube-apiserver does, with their packages', () => {
    for (const name of [
      'io.k8s.api.apps.v1.DeploymentSpec', 'io.k8s.api.apps.v1.DeploymentStrategy', 'io.k8s.api.core.v1.PodTemplateSpec',
      'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector',
      'io.k8s.api.core.v1.EventSeries', 'io.k8s.api.events.v1.EventSeries', 'io.k8s.api.discovery.v1.EndpointPort',
      'io.k8s.api.autoscaling.v1.HorizontalPodAutoscaler', 'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler',
      'io.k8s.api.core.v1.Event', 'io.k8s.api.events.v1.Event',
      'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps',
    ]) expect(defs[name], name).toBeDefined();
    expect(Object.keys(defs).filter((n) => /\.V\d/.test(n))).toEqual([]);
  });

  it('carries types, formats, descriptions and required fields from the official OpenAPI', () => {
    const spec = defs['io.k8s.api.apps.v1.DeploymentSpec'];
    expect(spec.description).toMatch(/^DeploymentSpec is the specification/);
    expect(spec.required).toEqual(expect.arrayContaining(['selector', 'template']));
    expect(spec.properties!.replicas).toMatchObject({ type: 'integer', format: 'int32' });
    expect(spec.properties!.strategy).toMatchObject({ $ref: '#/definitions/io.k8s.api.apps.v1.DeploymentStrategy' });
    expect(defs['io.k8s.api.core.v1.PodSpec'].properties!.containers).toMatchObject({ type: 'array', items: { $ref: '#/definitions/io.k8s.api.core.v1.Container' } });
    // What client models lack: the patch strategies and list semantics strategic merge and apply read.
    expect(defs['io.k8s.api.core.v1.PodSpec'].properties!.containers).toMatchObject({
      'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'name', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'],
    });
    expect(defs['io.k8s.api.core.v1.Container'].properties!.ports['x-kubernetes-list-map-keys']).toEqual(['containerPort', 'protocol']);
    expect(defs['io.k8s.api.core.v1.ConfigMap'].properties!.data).toMatchObject({ type: 'object', additionalProperties: { type: 'string' } });
    expect(defs['io.k8s.api.apps.v1.RollingUpdateDeployment'].properties!.maxSurge.$ref).toBe('#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString');
    expect(defs['io.k8s.apimachinery.pkg.util.intstr.IntOrString']).toMatchObject({ type: 'string', format: 'int-or-string' });
    expect(defs['io.k8s.api.core.v1.PodSpec'].required).toEqual(['containers']);
  });

  it('all references resolve', () => {
    const names = reachable(builtinResources.map((rt) => rt.definition), defs);
    for (const name of names) {
      for (const ref of JSON.stringify(defs[name]).matchAll(/"#\/definitions\/([^"]+)"/g)) expect(defs[ref[1]], `${name} -> ${ref[1]}`).toBeDefined();
    }
  });
});

describe('validateAgainstSchema', () => {
  it('accepts a valid object, Quantity numbers and int-or-string values', () => {
    const d = deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } } },
      { containers: [{ name: 'web', image: 'nginx', resources: { limits: { cpu: 1, memory: '1Gi' } } }] });
    expect(validateAgainstSchema(deployments, d)).toEqual({ causes: [], unknownFields: [] });
  });

  it('reports missing required fields as Required causes with dotted paths', () => {
    const r = validateAgainstSchema(deployments, deployment({}, {}));
    expect(r.causes.map((c) => [c.type, c.field])).toEqual([['FieldValueRequired', 'spec.template.spec.containers']]);
    const noName = validateAgainstSchema(deployments, deployment({}, { containers: [{ image: 'nginx' }] }));
    expect(noName.causes.map((c) => c.field)).toEqual(['spec.template.spec.containers[0].name']);
  });

  it('does not require what kube leaves to the kubelet: partial node and pod status (as kwok writes it) is accepted', async () => {
    const { nodes } = await import('../../server/resources/core/nodes.js');
    const { pods } = await import('../../server/resources/core/pods.js');
    const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, status: {
      nodeInfo: { kubeletVersion: 'v1' }, addresses: [{ type: 'InternalIP' }], conditions: [{ type: 'Ready' }],
      daemonEndpoints: { kubeletEndpoint: {} }, volumesAttached: [{ name: 'v' }],
    } } as unknown as KubeObject;
    expect(validateAgainstSchema(nodes, node).causes).toEqual([]);
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx' }] },
      status: { conditions: [{ type: 'Ready' }], containerStatuses: [{ name: 'c', state: { terminated: {} } }] } } as unknown as KubeObject;
    expect(validateAgainstSchema(pods, pod).causes).toEqual([]);
  });

  it('turns a type mismatch into kube-apiserver\'s decode error', () => {
    const r = validateAgainstSchema(deployments, deployment({ replicas: '3' }));
    expect(r.decodeError).toBe('Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
    const img = validateAgainstSchema(deployments, deployment({}, { containers: [{ name: 'web', image: 5 }] }));
    expect(img.decodeError).toMatch(/cannot unmarshal number into Go struct field Container\.spec\.template\.spec\.containers\.image of type string$/);
    const cm = validateAgainstSchema(configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c' }, data: { a: 1 } } as unknown as KubeObject);
    expect(cm.decodeError).toBe('ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ConfigMap.data of type string');
    const labels = validateAgainstSchema(configmaps, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: ['x'] } } as unknown as KubeObject);
    expect(labels.decodeError).toMatch(/cannot unmarshal array into Go struct field ObjectMeta\.metadata\.labels of type map\[string\]string$/);
  });

  it('finds unknown fields everywhere, metadata and status included', () => {
    const d = deployment({ foo: 1 }, { containers: [{ name: 'web', image: 'nginx', bogus: true }] });
    (d.metadata as Record<string, unknown>).colour = 'red';
    (d as Record<string, unknown>).status = { replicas: 1, nope: 1 };
    const r = validateAgainstSchema(deployments, d);
    expect(r.unknownFields.sort()).toEqual(['metadata.colour', 'spec.foo', 'spec.template.spec.containers[0].bogus', 'status.nope']);
    expect(r.decodeError).toBeUndefined();
  });
});

describe('buildOpenAPI', () => {
  const types = new TypeRegistry();
  registerBuiltins(types);
  const docs = buildOpenAPI(types);

  it('v2 publishes a CRD preserving unknown fields at its root as kube does: type object, nothing kubectl would refuse (v3 keeps it all)', () => {
    const crdTypes = new TypeRegistry();
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'empties.empty.example.com' },
      spec: {
        group: 'empty.example.com', scope: 'Namespaced', names: { plural: 'empties', singular: 'empty', kind: 'Empty', listKind: 'EmptyList' },
        versions: [
          { name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } },
          { name: 'v2', served: true, storage: false, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { a: { type: 'string' } } }, n: { type: 'string', nullable: true }, l: { type: 'array', 'x-kubernetes-preserve-unknown-fields': true, items: { type: 'string' } } } } } },
        ],
      },
    } as unknown as KubeObject;
    for (const rt of customResourceTypes(crd)) crdTypes.add(rt);
    const built = buildOpenAPI(crdTypes);
    const v2 = JSON.parse(built.v2.body).definitions;
    expect(v2['com.example.empty.v1.Empty']).toEqual({ type: 'object', 'x-kubernetes-group-version-kind': [{ group: 'empty.example.com', version: 'v1', kind: 'Empty' }] });
    const props = v2['com.example.empty.v2.Empty'].properties;
    expect(props.spec).toEqual({ 'x-kubernetes-preserve-unknown-fields': true });
    expect(props.n).toEqual({});
    expect(props.l).toEqual({ 'x-kubernetes-preserve-unknown-fields': true });
    expect(Object.keys(props)).toEqual(expect.arrayContaining(['apiVersion', 'kind', 'metadata']));
    const v3 = JSON.parse(built.v3.get('apis/empty.example.com/v1')!.body).components.schemas['com.example.empty.v1.Empty'];
    expect(v3).toMatchObject({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true });
    expect(Object.keys(v3.properties)).toEqual(['apiVersion', 'kind', 'metadata']);
  });

  it('serves a v3 document per group-version, indexed with hashes', () => {
    const index = JSON.parse(docs.v3Index.body) as { paths: Record<string, { serverRelativeURL: string }> };
    expect(index.paths['api/v1'].serverRelativeURL).toBe(`/openapi/v3/api/v1?hash=${docs.v3.get('api/v1')!.hash}`);
    expect(index.paths['apis/apps/v1'].serverRelativeURL).toMatch(/^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]{128}$/);
  });

  it('has the PATCH operation kubectl\'s query-param verifier looks for', () => {
    const apps = JSON.parse(docs.v3.get('apis/apps/v1')!.body);
    const patch = apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
    expect(patch['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', version: 'v1', kind: 'Deployment' });
    expect(patch.parameters).toContainEqual(expect.objectContaining({ name: 'fieldValidation', in: 'query' }));
  });

  it('has the kinds and everything they reference, v3 style', () => {
    const schemas = JSON.parse(docs.v3.get('apis/apps/v1')!.body).components.schemas;
    expect(schemas['io.k8s.api.apps.v1.Deployment']['x-kubernetes-group-version-kind']).toEqual([{ group: 'apps', version: 'v1', kind: 'Deployment' }]);
    // kube's own v3 shape: described refs wrapped in allOf, with the defaults v2 leaves out.
    expect(schemas['io.k8s.api.apps.v1.DeploymentSpec'].properties.strategy).toEqual({
      description: 'The deployment strategy to use to replace existing pods with new ones.',
      allOf: [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentStrategy' }],
      default: {},
      'x-kubernetes-patch-strategy': 'retainKeys',
    });
    expect(schemas['io.k8s.api.core.v1.Container']).toBeDefined();
    expect(schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString']).toMatchObject({ format: 'int-or-string', oneOf: [{ type: 'integer' }, { type: 'string' }] });
    const body = docs.v3.get('apis/apps/v1')!.body;
    for (const ref of body.matchAll(/"#\/components\/schemas\/([^"]+)"/g)) expect(schemas[ref[1]], ref[1]).toBeDefined();
    expect(JSON.parse(docs.v3.get('api/v1')!.body).components.schemas['io.k8s.api.apps.v1.Deployment']).toBeUndefined();
  });

  it('serves v2 with every kind, its GVK and its paths', () => {
    const v2 = JSON.parse(docs.v2.body);
    expect(v2.swagger).toBe('2.0');
    expect(v2.definitions['io.k8s.api.core.v1.ConfigMap']['x-kubernetes-group-version-kind']).toEqual([{ group: '', version: 'v1', kind: 'ConfigMap' }]);
    expect(v2.paths['/api/v1/namespaces/{namespace}/configmaps/{name}'].patch.parameters).toContainEqual(expect.objectContaining({ name: 'fieldValidation', in: 'query', type: 'string' }));
  });
});
