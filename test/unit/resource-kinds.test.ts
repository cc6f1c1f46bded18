// resource.k8s.io/v1 (DRA) kinds through the generic store: kube-apiserver 1.35's defaults and messages
// (recorded from it), the claim's status split and STATE cell, slice field selectors.
import { describe, expect, it } from 'vitest';
import { decodeProtobuf } from '../../server/protobuf/decode.js';
import { memoryStore } from '../support/memory-store.js';
import { protobufBody } from '../support/protobuf.js';

const label = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const subdomain = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const gpu = { name: 'gpu', exactly: { deviceClassName: 'gpu.example.com' } };

describe('resource.k8s.io/v1', () => {
  const m = memoryStore();
  const classes = m.rt('resource.k8s.io', 'deviceclasses');
  const claims = m.rt('resource.k8s.io', 'resourceclaims');
  const templates = m.rt('resource.k8s.io', 'resourceclaimtemplates');
  const slices = m.rt('resource.k8s.io', 'resourceslices');

  it('DeviceClass: generation tracked, selectors need cel, opaque config needs a driver; empty lists read back absent', async () => {
    const dc = await m.create(classes, { metadata: { name: 'gpu.example.com' }, spec: { selectors: [{ cel: { expression: "device.driver == 'gpu.example.com'" } }] } });
    expect(dc.metadata.generation).toBe(1);
    const emptied = await m.update(classes, { ...dc, spec: { selectors: [] } });
    expect([emptied.metadata.generation, emptied.spec]).toEqual([2, {}]);
    expect(await m.invalid(m.create(classes, { metadata: { name: 'd2' }, spec: { selectors: [{}], config: [{ opaque: { driver: '', parameters: {} } }] } })))
      .toBe('DeviceClass.resource.k8s.io "d2" is invalid: [spec.selectors[0].cel: Required value, spec.config[0].opaque.driver: Required value]');
    expect(m.table(classes, dc)).toMatchObject({ columns: ['Name', 'Age'] });
  });

  it('ResourceClaim: requests defaulted to one exact device, checked in kube order, spec immutable', async () => {
    const claim = await m.create(claims, { metadata: { name: 'claim1' }, spec: { devices: { requests: [gpu] } }, status: { reservedFor: [] } });
    expect(claim.spec.devices.requests[0].exactly).toEqual({ deviceClassName: 'gpu.example.com', allocationMode: 'ExactCount', count: 1 });
    expect(claim.status).toEqual({});
    expect(await m.invalid(m.create(claims, { metadata: { name: 'c2' }, spec: { devices: { requests: [{ name: 'Bad' }, { name: 'Bad', exactly: { deviceClassName: '', allocationMode: 'Weird', count: 0 } }] } } })))
      .toBe(`ResourceClaim.resource.k8s.io "c2" is invalid: [spec.devices.requests[0].name: Invalid value: "Bad": ${label}, spec.devices.requests[0]: Required value: exactly one of \`exactly\` or \`firstAvailable\` is required, spec.devices.requests[1].name: Invalid value: "Bad": ${label}, spec.devices.requests[1].exactly.deviceClassName: Required value, spec.devices.requests[1].exactly.allocationMode: Unsupported value: "Weird": supported values: "All", "ExactCount", spec.devices.requests[1]: Duplicate value: "Bad"]`);
    expect(await m.invalid(m.create(claims, { metadata: { name: 'c6' }, spec: { devices: { requests: [
      { name: 'a', exactly: { deviceClassName: 'Bad_x', count: -1 } }, { name: 'b', firstAvailable: [] },
      { name: 'c', firstAvailable: [{ name: 's', deviceClassName: 'x' }, { name: 's', deviceClassName: '' }] },
      { name: 'd', exactly: { deviceClassName: 'x' }, firstAvailable: [{ name: 'q', deviceClassName: 'x' }] },
    ] } } }))).toBe(`ResourceClaim.resource.k8s.io "c6" is invalid: [spec.devices.requests[0].exactly.deviceClassName: Invalid value: "Bad_x": ${subdomain}, spec.devices.requests[0].exactly.count: Invalid value: -1: must be greater than zero, spec.devices.requests[1]: Required value: exactly one of \`exactly\` or \`firstAvailable\` is required, spec.devices.requests[2].firstAvailable[1].deviceClassName: Required value, spec.devices.requests[2].firstAvailable[1]: Duplicate value: "s", spec.devices.requests[3]: Invalid value: null: exactly one of \`exactly\` or \`firstAvailable\` is required, but multiple fields are set]`);
    expect(await m.invalid(m.create(claims, { metadata: { name: 'c7' }, spec: { devices: { requests: [{ name: 'a', exactly: { deviceClassName: 'x' } }], constraints: [{ requests: ['zz'], matchAttribute: 'foo' }] } } })))
      .toBe('ResourceClaim.resource.k8s.io "c7" is invalid: [spec.devices.constraints[0].requests[0]: Invalid value: "zz": must be the name of a request in the claim or the name of a request and a subrequest separated by \'/\', spec.devices.constraints[0].matchAttribute: Invalid value: "foo": a fully qualified name must be a domain and a name separated by a slash]');
    // The same spec with its keys in another order (as server-side apply builds it) is no change.
    const reordered = { devices: { requests: [{ exactly: { count: 1, allocationMode: 'ExactCount', deviceClassName: 'gpu.example.com' }, name: 'gpu' }] } };
    expect((await m.update(claims, { ...claim, metadata: { ...claim.metadata, labels: { a: 'b' } }, spec: reordered })).metadata.labels).toEqual({ a: 'b' });
    expect(await m.invalid(m.update(claims, { ...claim, metadata: { ...claim.metadata, resourceVersion: undefined }, spec: { devices: { requests: [{ ...gpu, name: 'other' }] } } }))).toMatch(/^ResourceClaim.resource.k8s.io "claim1" is invalid: spec: Invalid value: .*: field is immutable$/);
  });

  it('ResourceClaim status: only through /status, reservedFor needs an allocation; STATE pending, allocated, reserved', async () => {
    const claim = await m.create(claims, { metadata: { name: 'claim2' }, spec: { devices: { requests: [gpu] } } });
    expect(m.table(claims, claim)).toMatchObject({ columns: ['Name', 'State', 'Age'], cells: ['claim2', 'pending', expect.any(String)] });
    const pod = { resource: 'pods', name: 'p', uid: 'u1' };
    expect(await m.invalid(m.update(claims, { ...claim, status: { reservedFor: [pod] } }, 'status')))
      .toBe('ResourceClaim.resource.k8s.io "claim2" is invalid: status.reservedFor: Forbidden: may not be specified when `allocated` is not set');
    const allocation = { devices: { results: [{ request: 'gpu', driver: 'gpu.example.com', pool: 'node1', device: 'gpu-0' }] } };
    const allocated = await m.update(claims, { ...claim, status: { allocation } }, 'status');
    expect(m.table(claims, allocated).cells[1]).toBe('allocated');
    const reserved = await m.update(claims, { ...allocated, status: { allocation, reservedFor: [pod] } }, 'status');
    expect(m.table(claims, reserved).cells[1]).toBe('allocated,reserved');
    expect((await m.update(claims, { ...reserved, status: {} })).status.reservedFor).toEqual([pod]);
  });

  it('a ResourceClaim sent as protobuf decodes to the JSON kube would store, and is created from it', async () => {
    const body = protobufBody('resource.k8s.io/v1', 'ResourceClaim', 'k8s.io.api.resource.v1.ResourceClaim', {
      metadata: { name: 'from-proto' }, spec: { devices: { requests: [{ name: 'gpu', exactly: { deviceClassName: 'gpu.example.com' } }] } },
    });
    const decoded = decodeProtobuf(body);
    expect(decoded).toMatchObject({ apiVersion: 'resource.k8s.io/v1', kind: 'ResourceClaim', metadata: { name: 'from-proto' }, spec: { devices: { requests: [{ name: 'gpu', exactly: { deviceClassName: 'gpu.example.com' } }] } } });
    expect((await m.create(claims, decoded)).spec.devices.requests[0].exactly).toEqual({ deviceClassName: 'gpu.example.com', allocationMode: 'ExactCount', count: 1 });
  });

  it('ResourceClaimTemplate: the template metadata reads back {}, its claim spec checked at spec.spec', async () => {
    const t = await m.create(templates, { metadata: { name: 'tpl1' }, spec: { spec: { devices: { requests: [gpu] } } } });
    expect(t.spec.metadata).toEqual({});
    expect(t.spec.spec.devices.requests[0].exactly.count).toBe(1);
    expect(await m.invalid(m.create(templates, { metadata: { name: 't2' }, spec: { spec: { devices: { requests: [{ name: 'a' }] } } } })))
      .toBe('ResourceClaimTemplate.resource.k8s.io "t2" is invalid: spec.spec.devices.requests[0]: Required value: exactly one of `exactly` or `firstAvailable` is required');
  });

  it('ResourceSlice: pool and exactly one node selection checked, generation defaulted, NODE DRIVER POOL, field selectors', async () => {
    const s = await m.create(slices, { metadata: { name: 'node1-gpu' }, spec: { driver: 'gpu.example.com', pool: { name: 'node1', resourceSliceCount: 1 }, nodeName: 'node1', devices: [{ name: 'gpu-0' }] } });
    expect([s.metadata.generation, s.spec.pool.generation]).toEqual([1, 0]);
    expect(await m.invalid(m.create(slices, { metadata: { name: 's2' }, spec: { driver: '', pool: { name: '', resourceSliceCount: 0, generation: -1 }, devices: [{ name: 'Bad' }, { name: 'Bad' }] } })))
      .toBe(`ResourceSlice.resource.k8s.io "s2" is invalid: [spec.driver: Required value, spec.pool.name: Required value, spec.pool.resourceSliceCount: Invalid value: 0: must be greater than zero, spec.pool.generation: Invalid value: -1: must be greater than or equal to zero, spec: Required value: exactly one of \`nodeName\`, \`nodeSelector\`, \`allNodes\`, \`perDeviceNodeSelection\` is required, spec.devices[0].name: Invalid value: "Bad": ${label}, spec.devices[1].name: Invalid value: "Bad": ${label}, spec.devices[1]: Duplicate value: "Bad"]`);
    expect(await m.invalid(m.create(slices, { metadata: { name: 's3' }, spec: { driver: 'd.example.com', nodeName: 'n', allNodes: true, pool: { name: 'p', resourceSliceCount: 1 } } })))
      .toBe('ResourceSlice.resource.k8s.io "s3" is invalid: spec: Invalid value: "{`nodeName`, `allNodes`}": exactly one of `nodeName`, `nodeSelector`, `allNodes`, `perDeviceNodeSelection` is required, but multiple fields are set');
    expect(await m.invalid(m.update(slices, { ...s, spec: { ...s.spec, driver: 'other.example.com' } }))).toBe('ResourceSlice.resource.k8s.io "node1-gpu" is invalid: spec.driver: Invalid value: "other.example.com": field is immutable');
    expect(m.table(slices, s)).toMatchObject({ columns: ['Name', 'Node', 'Driver', 'Pool', 'Age'], cells: ['node1-gpu', 'node1', 'gpu.example.com', 'node1', expect.any(String)] });
    await m.create(slices, { metadata: { name: 'shared' }, spec: { driver: 'net.example.com', pool: { name: 'p', resourceSliceCount: 1 }, allNodes: true } });
    const names = async (fieldSelector: string) => (await m.store.list(slices, '', { fieldSelector })).items.map((o) => o.metadata.name);
    expect(await names('spec.nodeName=node1')).toEqual(['node1-gpu']);
    expect(await names('spec.driver=net.example.com')).toEqual(['shared']);
  });
});
