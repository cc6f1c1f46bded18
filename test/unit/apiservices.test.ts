// apiregistration.k8s.io/v1 APIService through the generic store (kube-aggregator's validation, status
// split and columns), and the auto-registration of Local APIServices for built-in and CRD group/versions.
import { expect, it } from 'vitest';
import { AutoRegistration, autoRegisterManagedLabel, builtinAPIServices } from '../../server/aggregator/autoregister.js';
import { eventually } from '../support/eventually.js';
import { memoryStore } from '../support/memory-store.js';

/* eslint-disable @typescript-eslint/no-explicit-any */

it('APIService: name is version.group, priorities bounded, local ones Available/Local; SERVICE and AVAILABLE columns', async () => {
  const m = memoryStore();
  const apiservices = m.rt('apiregistration.k8s.io', 'apiservices');
  const local = await m.create(apiservices, { metadata: { name: 'v1.example.com' }, spec: { group: 'example.com', version: 'v1', groupPriorityMinimum: 100, versionPriority: 10 } });
  expect(local.status.conditions).toMatchObject([{ type: 'Available', status: 'True', reason: 'Local', message: 'Local APIServices are always available' }]);
  expect(m.table(apiservices, local)).toMatchObject({ columns: ['Name', 'Service', 'Available', 'Age'], cells: ['v1.example.com', 'Local', 'True', expect.any(String)] });

  const proxied = await m.create(apiservices, { metadata: { name: 'v1alpha1.wardle.example.com' }, spec: { group: 'wardle.example.com', version: 'v1alpha1', groupPriorityMinimum: 1000, versionPriority: 15, insecureSkipTLSVerify: true, service: { namespace: 'wardle', name: 'api' } } });
  expect(proxied.spec.service.port).toBe(443);
  expect(proxied.status).toEqual({});
  expect(m.table(apiservices, proxied).cells.slice(1, 3)).toEqual(['wardle/api', 'Unknown']);
  expect(m.table(apiservices, { ...proxied, status: { conditions: [{ type: 'Available', status: 'False', reason: 'MissingEndpoints' }] } }).cells[2]).toBe('False (MissingEndpoints)');

  expect(await m.invalid(m.create(apiservices, { metadata: { name: 'v2.example.com' }, spec: { group: 'example.com', version: 'v1', groupPriorityMinimum: 0, versionPriority: 1001 } })))
    .toBe('APIService.apiregistration.k8s.io "v2.example.com" is invalid: [metadata.name: Invalid value: "v2.example.com": must be `spec.version+"."+spec.group`: "v1.example.com", '
      + 'spec.groupPriorityMinimum: Invalid value: 0: must be positive and less than 20000, spec.versionPriority: Invalid value: 1001: must be positive and less than 1000]');
  expect(await m.invalid(m.create(apiservices, { metadata: { name: 'v1.x.io' }, spec: { group: 'x.io', version: 'v1', groupPriorityMinimum: 1, versionPriority: 1, caBundle: 'AAAA' } })))
    .toBe('APIService.apiregistration.k8s.io "v1.x.io" is invalid: spec.caBundle: Invalid value: "3 bytes": local APIServices may not have a caBundle');
  expect(await m.invalid(m.create(apiservices, { metadata: { name: 'v1.y.io' }, spec: { group: 'y.io', version: 'v1', groupPriorityMinimum: 1, versionPriority: 1, caBundle: 'AAAA', insecureSkipTLSVerify: true, service: { namespace: 'a', name: 'b', port: 0 } } })))
    .toBe('APIService.apiregistration.k8s.io "v1.y.io" is invalid: [spec.service.port: Invalid value: 0: port is not valid: must be between 1 and 65535, inclusive, spec.insecureSkipTLSVerify: Invalid value: true: may not be true if caBundle is present]');
  // A main-resource update keeps the stored status.
  const updated = await m.update(apiservices, { ...proxied, status: { conditions: [{ type: 'Available', status: 'True', reason: 'Passed' }] } });
  expect(updated.status).toEqual({});
});

it('auto-registration: Local APIServices for built-ins with kube priorities, for served CRD versions while they last', async () => {
  const m = memoryStore();
  const apiservices = m.rt('apiregistration.k8s.io', 'apiservices');
  const crds = m.rt('apiextensions.k8s.io', 'customresourcedefinitions');
  const builtins = builtinAPIServices([{ group: '', version: 'v1' }, { group: 'apps', version: 'v1' }, { group: 'not-in-kube.io', version: 'v1' }]);
  // A stale onstart one from an older server, and one somebody made by hand, which is left alone.
  await m.create(apiservices, { metadata: { name: 'v1beta1.apps', labels: { [autoRegisterManagedLabel]: 'onstart' } }, spec: { group: 'apps', version: 'v1beta1', groupPriorityMinimum: 1, versionPriority: 1 } });
  await m.create(apiservices, { metadata: { name: 'v1.mine.io' }, spec: { group: 'mine.io', version: 'v1', groupPriorityMinimum: 1, versionPriority: 1 } });
  const schema = { openAPIV3Schema: { type: 'object' } };
  await m.create(crds, { metadata: { name: 'widgets.example.com' }, spec: { group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', kind: 'Widget' },
    versions: [{ name: 'v1', served: true, storage: true, schema }, { name: 'v1beta1', served: true, storage: false, schema }, { name: 'v1alpha1', served: false, storage: false, schema }] } });

  const names = async () => (await m.store.list(apiservices, '', {} as any)).items.map((o) => o.metadata.name).sort();
  const a = new AutoRegistration(m.store, apiservices, crds, builtins);
  const b = new AutoRegistration(m.store, apiservices, crds, builtins);
  try {
    await Promise.all([a.start(), b.start()]);
    await Promise.all([a.done, b.done]);
    await eventually(async () => JSON.stringify(await names()) === JSON.stringify(['v1.', 'v1.apps', 'v1.example.com', 'v1.mine.io', 'v1beta1.example.com']), { what: 'the Local APIServices' });
    const core = await m.store.get(apiservices, '', 'v1.');
    expect(core.metadata.labels).toEqual({ [autoRegisterManagedLabel]: 'onstart' });
    expect(core.spec).toEqual({ group: '', version: 'v1', groupPriorityMinimum: 18000, versionPriority: 1 });
    expect((await m.store.get(apiservices, '', 'v1.example.com')).spec).toMatchObject({ groupPriorityMinimum: 1000, versionPriority: 100 });
    expect((await m.store.get(apiservices, '', 'v1.example.com')).metadata.labels).toEqual({ [autoRegisterManagedLabel]: 'true' });

    // The CRD stops serving v1beta1: its APIService goes.
    const crd = await m.store.get(crds, '', 'widgets.example.com');
    (crd.spec as any).versions[1].served = false;
    await m.update(crds, crd);
    await eventually(async () => JSON.stringify(await names()) === JSON.stringify(['v1.', 'v1.apps', 'v1.example.com', 'v1.mine.io']), { what: 'v1beta1.example.com gone' });
  } finally {
    a.stop();
    b.stop();
  }
});
