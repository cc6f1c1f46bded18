// storage.k8s.io/v1 kinds through the generic store: kube-apiserver 1.35's defaults, messages (recorded
// from it), status split and `kubectl get` cells.
import { describe, expect, it } from 'vitest';
import { isNegativeQuantity } from '../../server/validation/quantity.js';
import { memoryStore } from '../support/memory-store.js';

const subdomain = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const namePart = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

describe('storage.k8s.io/v1', () => {
  const m = memoryStore();
  const csidrivers = m.rt('storage.k8s.io', 'csidrivers');
  const csinodes = m.rt('storage.k8s.io', 'csinodes');
  const capacities = m.rt('storage.k8s.io', 'csistoragecapacities');
  const attachments = m.rt('storage.k8s.io', 'volumeattachments');
  const vacs = m.rt('storage.k8s.io', 'volumeattributesclasses');

  it('CSIDriver: defaults, spec rules in kube order, attachRequired immutable (kube spells the path attachedRequired), table', async () => {
    const d = await m.create(csidrivers, { metadata: { name: 'csi.example.com' }, spec: {} });
    expect(d.spec).toEqual({ attachRequired: true, podInfoOnMount: false, volumeLifecycleModes: ['Persistent'], storageCapacity: false, fsGroupPolicy: 'ReadWriteOnceWithFSType', requiresRepublish: false, seLinuxMount: false });
    expect(await m.invalid(m.create(csidrivers, { metadata: { name: 'Bad_Name' }, spec: { volumeLifecycleModes: ['Weird'], fsGroupPolicy: 'X', tokenRequests: [{ audience: 'a', expirationSeconds: 5 }, { audience: 'a' }] } })))
      .toBe(`CSIDriver.storage.k8s.io "Bad_Name" is invalid: [metadata.name: Invalid value: "Bad_Name": ${subdomain}, spec.fsGroupPolicy: Unsupported value: "X": supported values: "File", "None", "ReadWriteOnceWithFSType", spec.tokenRequests[0].expirationSeconds: Invalid value: 5: may not specify a duration less than 10 minutes, spec.tokenRequests[1].audience: Duplicate value: "a", spec.volumeLifecycleModes: Unsupported value: "Weird": supported values: "Persistent", "Ephemeral"]`);
    expect(await m.invalid(m.update(csidrivers, { ...d, spec: { ...d.spec, attachRequired: false } })))
      .toBe('CSIDriver.storage.k8s.io "csi.example.com" is invalid: spec.attachedRequired: Invalid value: false: field is immutable');
    expect(m.table(csidrivers, d)).toMatchObject({
      columns: ['Name', 'AttachRequired', 'PodInfoOnMount', 'StorageCapacity', 'TokenRequests', 'RequiresRepublish', 'Modes', 'Age'],
      cells: ['csi.example.com', true, false, false, '<unset>', false, 'Persistent', expect.any(String)],
    });
  });

  it('CSINode: topologyKeys reads back null, driver checks, a driver may only change its allocatable count, DRIVERS', async () => {
    const n = await m.create(csinodes, { metadata: { name: 'node1' }, spec: { drivers: [{ name: 'csi.example.com', nodeID: 'n1' }] } });
    expect(n.spec.drivers[0].topologyKeys).toBeNull();
    expect(await m.invalid(m.create(csinodes, { metadata: { name: 'n2' }, spec: { drivers: [{ name: 'd.example.com', nodeID: '' }, { name: 'd.example.com', nodeID: 'x', topologyKeys: ['a', 'a', ''] }] } })))
      .toBe(`CSINode.storage.k8s.io "n2" is invalid: [spec.drivers[0].nodeID: Required value, spec.drivers[1].name: Duplicate value: "d.example.com", spec.drivers[1]: Duplicate value: "a", spec.drivers[1]: Required value, spec.drivers[1]: Invalid value: "": name part must be non-empty, spec.drivers[1]: Invalid value: "": ${namePart}]`);
    expect((await m.update(csinodes, { ...n, spec: { drivers: [{ ...n.spec.drivers[0], allocatable: { count: 3 } }] } })).spec.drivers[0].allocatable).toEqual({ count: 3 });
    const current = await m.store.get(csinodes, '', 'node1');
    expect(await m.invalid(m.update(csinodes, { ...current, spec: { drivers: [{ name: 'csi.example.com', nodeID: 'other' }] } })))
      .toBe('CSINode.storage.k8s.io "node1" is invalid: spec.drivers: Invalid value: {"Name":"csi.example.com","NodeID":"other","TopologyKeys":null,"Allocatable":null}: field is immutable');
    expect(m.table(csinodes, n)).toMatchObject({ columns: ['Name', 'Drivers', 'Age'], cells: ['node1', 1, expect.any(String)] });
  });

  it('CSIStorageCapacity: class name and capacity checked, kube serves the default Name / Created At table', async () => {
    const c = await m.create(capacities, { metadata: { name: 'cap1' }, storageClassName: 'sc1', capacity: '10Gi' });
    expect(await m.invalid(m.create(capacities, { metadata: { name: 'c2' }, storageClassName: '', capacity: '-1' })))
      .toBe(`CSIStorageCapacity.storage.k8s.io "c2" is invalid: [storageClassName: Invalid value: "": ${subdomain}, capacity: Invalid value: "-1": must be greater than or equal to 0]`);
    expect(await m.invalid(m.update(capacities, { ...c, storageClassName: 'other' }))).toBe('CSIStorageCapacity.storage.k8s.io "cap1" is invalid: storageClassName: Invalid value: "other": field is immutable');
    expect(m.table(capacities, c)).toEqual({ columns: ['Name', 'Created At'], cells: ['cap1', c.metadata.creationTimestamp] });
  });

  it('a quantity is negative only with a minus sign and a non-zero digit', () => {
    expect(['-1', '-0.5Gi', ' -3m', -2].map(isNegativeQuantity)).toEqual([true, true, true, true]);
    expect(['0', '-0', '-0.0Gi', '10Gi', '1e3', 0, undefined].map(isNegativeQuantity)).toEqual([false, false, false, false, false, false, false]);
  });

  it('VolumeAttachment: status starts as attached: false and moves only through /status; spec immutable; ATTACHED', async () => {
    const body = { metadata: { name: 'va1' }, spec: { attacher: 'csi.example.com', nodeName: 'node1', source: { persistentVolumeName: 'pv1' } }, status: { attached: true } };
    const va = await m.create(attachments, body);
    expect(va.status).toEqual({ attached: false });
    expect((await m.update(attachments, { ...va, status: { attached: true } })).status).toEqual({ attached: false });
    const attached = await m.update(attachments, { ...(await m.store.get(attachments, '', 'va1')), status: { attached: true, attachmentMetadata: { a: 'b' } } }, 'status');
    expect(attached.status).toEqual({ attached: true, attachmentMetadata: { a: 'b' } });
    expect(await m.invalid(m.create(attachments, { metadata: { name: 'v2' }, spec: { attacher: '', nodeName: '', source: {} } })))
      .toBe(`VolumeAttachment.storage.k8s.io "v2" is invalid: [spec.attacher: Required value, spec.source: Required value: must specify exactly one of inlineVolumeSpec and persistentVolumeName, spec.nodeName: Invalid value: "": ${subdomain}]`);
    expect(await m.invalid(m.update(attachments, { ...attached, spec: { ...attached.spec, nodeName: 'other' } })))
      .toBe('VolumeAttachment.storage.k8s.io "va1" is invalid: spec: Invalid value: {"Attacher":"csi.example.com","Source":{"PersistentVolumeName":"pv1","InlineVolumeSpec":null},"NodeName":"other"}: field is immutable');
    expect(m.table(attachments, attached)).toMatchObject({ columns: ['Name', 'Attacher', 'PV', 'Node', 'Attached', 'Age'], cells: ['va1', 'csi.example.com', 'pv1', 'node1', true, expect.any(String)] });
    expect(attachments.strategy.table!.columns[1].format).toBe('name');
  });

  it('VolumeAttributesClass: driver and parameters required and frozen, stored as v1beta1 as kube 1.35 keeps it', async () => {
    const v = await m.create(vacs, { metadata: { name: 'gold' }, driverName: 'csi.example.com', parameters: { iops: '100' } });
    expect(v.apiVersion).toBe('storage.k8s.io/v1');
    expect(JSON.parse((await m.storage.get('/registry/volumeattributesclasses/gold')).value!.value.toString()).apiVersion).toBe('storage.k8s.io/v1beta1');
    expect(await m.invalid(m.create(vacs, { metadata: { name: 'v2' }, driverName: '' })))
      .toBe('VolumeAttributesClass.storage.k8s.io "v2" is invalid: [driverName: Required value, parameters: Required value: must contain at least one key/value pair]');
    expect(await m.invalid(m.update(vacs, { ...v, parameters: { iops: '200' } }))).toBe('VolumeAttributesClass.storage.k8s.io "gold" is invalid: parameters: Forbidden: updates to parameters are forbidden.');
    expect(m.table(vacs, v)).toMatchObject({ columns: ['Name', 'DriverName', 'Age'], cells: ['gold', 'csi.example.com', expect.any(String)] });
  });
});
