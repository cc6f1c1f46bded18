import { describe, expect, it } from 'vitest';
import { applyJSONPatch } from '../../server/patch/json-patch.js';
import { applyMergePatch } from '../../server/patch/merge-patch.js';
import { applyStrategicMergePatch } from '../../server/patch/strategic-merge-patch.js';

describe('JSON patch', () => {
  it('applies add, replace, remove, move, copy, test', () => {
    const doc = { a: 1, list: [1, 2], o: { x: 'y' } };
    const out = applyJSONPatch(doc, [
      { op: 'add', path: '/b', value: 2 }, { op: 'replace', path: '/a', value: 3 }, { op: 'remove', path: '/list/0' },
      { op: 'add', path: '/list/-', value: 9 }, { op: 'move', from: '/o/x', path: '/moved' }, { op: 'copy', from: '/b', path: '/c' },
      { op: 'test', path: '/a', value: 3 },
    ]);
    expect(out).toEqual({ a: 3, b: 2, c: 2, list: [2, 9], o: {}, moved: 'y' });
    expect(doc.a).toBe(1);
  });
  it('fails a failed test or a missing path with 422', () => {
    expect(() => applyJSONPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow(/test failed/);
    expect(() => applyJSONPatch({ a: 1 }, [{ op: 'replace', path: '/nope', value: 2 }])).toThrow(/missing/);
  });
});

describe('merge patch', () => {
  it('merges objects, deletes with null, replaces lists', () => {
    expect(applyMergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { b: null, d: 3 }, l: [3] })).toEqual({ a: { c: 2, d: 3 }, l: [3] });
  });
});

const deploymentSchema = { $ref: '#/definitions/io.k8s.api.apps.v1.Deployment' };

describe('strategic merge patch', () => {
  const deploy = { spec: { template: { spec: { containers: [{ name: 'a', image: 'a:1', env: [{ name: 'X', value: '1' }] }, { name: 'b', image: 'b:1' }] } } }, metadata: { finalizers: ['f1'] } };
  it('merges containers by name and env by name', () => {
    const out = applyStrategicMergePatch(deploy, { spec: { template: { spec: { containers: [{ name: 'a', image: 'a:2', env: [{ name: 'Y', value: '2' }] }] } } } }, deploymentSchema) as any;
    expect(out.spec.template.spec.containers).toEqual([
      { name: 'a', image: 'a:2', env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }] }, { name: 'b', image: 'b:1' },
    ]);
  });
  it('honours $patch delete and replace, and merges finalizers as a set', () => {
    const del = applyStrategicMergePatch(deploy, { spec: { template: { spec: { containers: [{ name: 'b', $patch: 'delete' }] } } } }, deploymentSchema) as any;
    expect(del.spec.template.spec.containers.map((c: any) => c.name)).toEqual(['a']);
    const rep = applyStrategicMergePatch(deploy, { spec: { template: { spec: { containers: [{ name: 'z', image: 'z' }, { $patch: 'replace' }] } } } }, deploymentSchema) as any;
    expect(rep.spec.template.spec.containers).toEqual([{ name: 'z', image: 'z' }]);
    expect((applyStrategicMergePatch(deploy, { metadata: { finalizers: ['f2', 'f1'] } }, deploymentSchema) as any).metadata.finalizers).toEqual(['f1', 'f2']);
  });
  it('takes merge keys and strategies from the schema: ports by containerPort, retainKeys, $setElementOrder, $deleteFromPrimitiveList', () => {
    const pod = { spec: { containers: [{ name: 'a', ports: [{ containerPort: 80, name: 'http' }], args: ['x'] }], volumes: [{ name: 'v', emptyDir: {} }] }, metadata: { finalizers: ['a', 'b', 'c'] } };
    const podSchema = { $ref: '#/definitions/io.k8s.api.core.v1.Pod' };
    const out = applyStrategicMergePatch(pod, { spec: { containers: [{ name: 'a', ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 81 }], args: ['y'] }] } }, podSchema) as any;
    expect(out.spec.containers[0].ports).toEqual([{ containerPort: 80, name: 'http', protocol: 'TCP' }, { containerPort: 81 }]);
    // args has no patch strategy: replaced
    expect(out.spec.containers[0].args).toEqual(['y']);
    // a volume's source is retainKeys: the old source goes when the patch names the keys to keep
    const vol = applyStrategicMergePatch(pod, { spec: { volumes: [{ name: 'v', $retainKeys: ['name', 'hostPath'], hostPath: { path: '/x' } }] } }, podSchema) as any;
    expect(vol.spec.volumes).toEqual([{ name: 'v', hostPath: { path: '/x' } }]);
    const order = applyStrategicMergePatch(pod, { metadata: { '$setElementOrder/finalizers': ['c', 'b', 'a'], '$deleteFromPrimitiveList/finalizers': ['b'] } }, podSchema) as any;
    expect(order.metadata.finalizers).toEqual(['c', 'a']);
    const conts = applyStrategicMergePatch({ spec: { containers: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] } }, { spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'b' }, { name: 'a' }] } }, podSchema) as any;
    expect(conts.spec.containers.map((c: any) => c.name)).toEqual(['c', 'b', 'a']);
  });

  it('replaces every list without a schema (as for types it does not know)', () => {
    expect(applyStrategicMergePatch({ containers: [{ name: 'a' }] }, { containers: [{ name: 'b' }] })).toEqual({ containers: [{ name: 'b' }] });
  });
});
