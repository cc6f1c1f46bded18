// Field ownership: FieldsV1 encoding, field sets through the schema's list and map types, Update and
// Apply operations, conflicts and pruning. Expected managedFields are what kube-apiserver v1.35.0
// answered for the same requests (recorded by hand against bench/peer).
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../server/api/errors.js';
import type { KubeObject } from '../../server/api/object.js';
import { apply, managerName, recordUpdate } from '../../server/fieldmanager/field-manager.js';
import { parseExactJSON } from '../../server/api/json.js';
import { fromFieldsV1, insert, emptySet, keyElement, pathString, paths, toFieldsV1, valueElement } from '../../server/fieldmanager/fieldset.js';
import { compare, toFieldSet } from '../../server/fieldmanager/typed.js';
import { deployments } from '../../server/resources/apps/deployments.js';
import { configmaps } from '../../server/resources/core/configmaps.js';
import { schemaFor } from '../../server/schema/navigate.js';

const deployment = (replicas: number, image: string): KubeObject => ({
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
  spec: {
    replicas,
    selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image, ports: [{ containerPort: 80 }] }] } },
  },
});

describe('FieldsV1', () => {
  it('round-trips, with "." for a member that has children, in kube\'s element order', () => {
    const wire = { 'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} } }, 'f:spec': { 'f:list': { 'k:{"name":"x"}': { '.': {}, 'f:name': {} }, 'v:"s"': {} } } };
    const set = fromFieldsV1(wire);
    expect(toFieldsV1(set)).toEqual(wire);
    expect(JSON.stringify(toFieldsV1(set))).toBe(JSON.stringify(wire));
    expect(paths(set).map(pathString)).toEqual(['.metadata.labels', '.metadata.labels.a', '.spec.list[name="x"]', '.spec.list[name="x"].name', '.spec.list[="s"]']);
  });

  it('sorts fields before keys before values, whatever the insertion order', () => {
    const s = emptySet();
    insert(s, ['v:1']);
    insert(s, ['k:{"a":1}']);
    insert(s, ['f:z']);
    insert(s, ['f:b']);
    expect(Object.keys(toFieldsV1(s))).toEqual(['f:b', 'f:z', 'k:{"a":1}', 'v:1']);
  });

  it('keys and values that are int64 beyond 2^53 keep their digits in managedFields and conflict paths', () => {
    const big = parseExactJSON('9223372036854775807') as bigint;
    const set = emptySet();
    insert(set, ['f:spec', 'f:ports', keyElement({ port: big })]);
    insert(set, ['f:spec', 'f:ids', valueElement(big)]);
    expect(JSON.stringify(toFieldsV1(set))).toBe('{"f:spec":{"f:ids":{"v:9223372036854775807":{}},"f:ports":{"k:{\\"port\\":9223372036854775807}":{}}}}');
    expect(paths(set).map(pathString)).toContain('.spec.ports[port=9223372036854775807]');
  });

  it('refuses what is not FieldsV1', () => {
    expect(() => fromFieldsV1([])).toThrow(ApiError);
    expect(() => fromFieldsV1({ 'x:y': {} })).toThrow(/unknown path element/);
  });
});

describe('field sets from the schema', () => {
  const schema = schemaFor(deployments);

  it('is what kube records for an applied Deployment: list-map keys with their defaults, atomic selector, no "." on maps', () => {
    const set = toFieldSet(deployment(2, 'nginx:1'), schema);
    expect(toFieldsV1(set)).toEqual({
      'f:apiVersion': {}, 'f:kind': {},
      'f:metadata': { 'f:labels': { 'f:app': {} }, 'f:name': {}, 'f:namespace': {} },
      'f:spec': {
        'f:replicas': {}, 'f:selector': {},
        'f:template': {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': { 'f:containers': { 'k:{"name":"nginx"}': { '.': {}, 'f:image': {}, 'f:name': {}, 'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} } } } } },
        },
      },
    });
  });

  it('sets are by value, atomic lists and untyped lists are one field', () => {
    const pod = { metadata: { finalizers: ['a', 'b'] }, spec: { containers: [{ name: 'c', args: ['x', 'y'] }] } };
    const set = toFieldSet(pod, { $ref: '#/definitions/io.k8s.api.core.v1.Pod' });
    expect(toFieldsV1(set)).toEqual({
      'f:metadata': { 'f:finalizers': { 'v:"a"': {}, 'v:"b"': {} } },
      'f:spec': { 'f:containers': { 'k:{"name":"c"}': { '.': {}, 'f:args': {}, 'f:name': {} } } },
    });
    // Untyped: every map entry is a member (none is a declared field), lists are atomic.
    expect(toFieldsV1(toFieldSet({ a: { b: [1, 2] } }, undefined))).toEqual({ 'f:a': { '.': {}, 'f:b': {} } });
  });

  it('compares by list-map key, not by position', () => {
    const s = { $ref: '#/definitions/io.k8s.api.core.v1.PodSpec' };
    const c = compare({ containers: [{ name: 'a', image: '1' }, { name: 'b', image: '1' }] }, { containers: [{ name: 'b', image: '2' }, { name: 'a', image: '1' }] }, s);
    expect(paths(c.modified).map(pathString)).toEqual(['.containers[name="b"].image']);
    expect(paths(c.added)).toEqual([]);
    expect(paths(c.removed)).toEqual([]);
  });
});

describe('Update operations', () => {
  it('records a create and an update as kube does, the second manager taking the fields it changed', () => {
    const created: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c1', namespace: 'default', uid: 'u', creationTimestamp: 't', labels: { a: 'b' } }, data: { k: 'v' } };
    recordUpdate(configmaps, undefined, created, 'myagent');
    expect(created.metadata.managedFields).toEqual([
      { manager: 'myagent', operation: 'Update', apiVersion: 'v1', time: expect.any(String), fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { '.': {}, 'f:k': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} } } } },
    ]);
    const next: KubeObject = { ...structuredClone(created), metadata: { ...structuredClone(created.metadata), labels: { a: 'c' }, resourceVersion: '2' }, data: { k: 'v', k2: 'x' } };
    delete next.metadata.managedFields; // a client that does not send them keeps them
    (created.metadata.managedFields as Array<{ time: string }>)[0].time = '2026-01-01T00:00:00Z'; // entries sort by time
    recordUpdate(configmaps, created, next, 'ed');
    const mf = next.metadata.managedFields as unknown as Array<Record<string, unknown>>;
    expect(mf.map((e) => [e.manager, e.fieldsV1])).toEqual([
      ['myagent', { 'f:data': { '.': {}, 'f:k': {} }, 'f:metadata': { 'f:labels': {} } }],
      ['ed', { 'f:data': { 'f:k2': {} }, 'f:metadata': { 'f:labels': { 'f:a': {} } } }],
    ]);
  });

  it('takes the manager from the User-Agent when none is named', () => {
    expect(managerName(undefined, 'kubectl/v1.35.0 (linux/amd64) kubernetes/abc')).toBe('kubectl');
    expect(managerName('mine', 'kubectl/v1.35.0')).toBe('mine');
    expect(managerName(undefined, undefined)).toBe('unknown');
  });

  it('clears them when a client sends [] and keeps them when it sends something undecodable', () => {
    const live: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', managedFields: [{ manager: 'x', operation: 'Update', apiVersion: 'v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:a': {} } } }] }, data: { a: '1' } };
    const reset: KubeObject = { ...structuredClone(live), metadata: { name: 'c', managedFields: [] } };
    recordUpdate(configmaps, live, reset, 'y');
    expect(reset.metadata.managedFields).toBeUndefined();
    const bogus: KubeObject = { ...structuredClone(live), metadata: { name: 'c', managedFields: [{ fieldsType: 'nope' }] } };
    recordUpdate(configmaps, live, bogus, 'y');
    expect((bogus.metadata.managedFields as Array<{ manager: string }>).map((e) => e.manager)).toEqual(['x']);
  });
});

describe('Apply operations', () => {
  it('creates, then refuses another manager\'s change with kube\'s message and causes', () => {
    const first = apply(deployments, undefined, deployment(2, 'nginx:1'), 'alice', false);
    expect((first.metadata.managedFields as Array<Record<string, unknown>>)[0]).toMatchObject({ manager: 'alice', operation: 'Apply', apiVersion: 'apps/v1' });
    let err: ApiError | undefined;
    try {
      apply(deployments, first, deployment(3, 'nginx:2'), 'bob', false);
    } catch (e) {
      err = e as ApiError;
    }
    expect(err?.code).toBe(409);
    expect(err?.message).toBe('Apply failed with 2 conflicts: conflicts with "alice":\n- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image');
    expect(err?.details?.causes).toEqual([
      { reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.spec.replicas' },
      { reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.spec.template.spec.containers[name="nginx"].image' },
    ]);
    expect(() => apply(deployments, first, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 5 } }, 'carol', false))
      .toThrow('Apply failed with 1 conflict: conflict with "alice": .spec.replicas');
  });

  it('co-owns a field applied with the same value, and force takes a field away', () => {
    const first = apply(deployments, undefined, deployment(2, 'nginx:1'), 'alice', false);
    const same = apply(deployments, first, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2 } }, 'bob', false);
    // bob changed nothing: his entry has no time (kube sets it only when an apply changes the object), so it sorts first
    expect((same.metadata.managedFields as Array<{ manager: string; time?: string }>).map((e) => [e.manager, Boolean(e.time)])).toEqual([['bob', false], ['alice', true]]);
    const forced = apply(deployments, first, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 7 } }, 'bob', true);
    expect((forced.spec as { replicas: number }).replicas).toBe(7);
    const mf = forced.metadata.managedFields as Array<{ manager: string; fieldsV1: { 'f:spec': Record<string, unknown> } }>;
    expect(mf.find((e) => e.manager === 'alice')!.fieldsV1['f:spec']['f:replicas']).toBeUndefined();
    expect(mf.find((e) => e.manager === 'bob')!.fieldsV1['f:spec']).toEqual({ 'f:replicas': {} });
  });

  it('removes a field its manager stops applying, unless someone else owns it', () => {
    const withLabel = (labels: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels }, data: { a: '1' } });
    const one = apply(configmaps, undefined, withLabel({ x: '1', y: '2' }), 'alice', false);
    const two = apply(configmaps, one, withLabel({ x: '1' }), 'alice', false);
    expect(two.metadata.labels).toEqual({ x: '1' });
    // bob co-owns x; alice dropping it leaves it in place
    const three = apply(configmaps, two, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { x: '1' } } }, 'bob', false);
    const four = apply(configmaps, three, withLabel({}), 'alice', false);
    expect(four.metadata.labels).toEqual({ x: '1' });
    expect(four.data).toEqual({ a: '1' });
  });

  it('merges list-map items by key, keeping items other managers own', () => {
    const base = apply(deployments, undefined, deployment(1, 'nginx:1'), 'alice', false);
    const sidecar = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
      spec: { template: { spec: { containers: [{ name: 'sidecar', image: 'busybox' }] } } },
    };
    const both = apply(deployments, base, sidecar, 'bob', false);
    const names = ((both.spec as any).template.spec.containers as Array<{ name: string; image: string }>).map((c) => `${c.name}=${c.image}`);
    expect(names).toEqual(['nginx=nginx:1', 'sidecar=busybox']);
  });
  it('gives an untracked object\'s fields to before-first-apply, as kube does', () => {
    const live: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bfa' }, data: { a: 'b' } };
    expect(() => apply(configmaps, live, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bfa' }, data: { a: 'c' } }, 'x', false))
      .toThrow('Apply failed with 1 conflict: conflict with "before-first-apply" using v1: .data.a');
  });
});

describe('custom resources through rt.schema (the seam the CRD code fills)', () => {
  const widgets = {
    group: 'example.com', version: 'v1', definition: 'com.example.v1.Widget',
    schema: {
      type: 'object',
      properties: {
        spec: {
          type: 'object',
          properties: {
            parts: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', properties: { name: { type: 'string' }, size: { type: 'integer', default: 1 } } } },
            tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
            free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          },
        },
      },
    },
  };
  const widget = (spec: Record<string, unknown>): KubeObject => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec });

  it('merges list-map and set items of two managers, untyped fields whole, and conflicts on a shared item\'s field', () => {
    const a = apply(widgets, undefined, widget({ parts: [{ name: 'a', size: 1 }], tags: ['x'], free: { k: [1, 2] } }), 'alice', false);
    expect((a.metadata.managedFields as Array<{ fieldsV1: unknown }>)[0].fieldsV1).toEqual({
      'f:spec': { 'f:free': { 'f:k': {} }, 'f:parts': { 'k:{"name":"a"}': { '.': {}, 'f:name': {}, 'f:size': {} } }, 'f:tags': { 'v:"x"': {} } },
    });
    const b = apply(widgets, a, widget({ parts: [{ name: 'b', size: 2 }], tags: ['y'] }), 'bob', false);
    expect(b.spec).toEqual({ parts: [{ name: 'a', size: 1 }, { name: 'b', size: 2 }], tags: ['x', 'y'], free: { k: [1, 2] } });
    expect(() => apply(widgets, b, widget({ parts: [{ name: 'a', size: 5 }] }), 'bob', false))
      .toThrow('Apply failed with 1 conflict: conflict with "alice": .spec.parts[name="a"].size');
  });
});

