// node.k8s.io/v1 RuntimeClass through the generic store, with kube-apiserver 1.35's messages (recorded from it).
import { expect, it } from 'vitest';
import { memoryStore } from '../support/memory-store.js';

const label = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

it('RuntimeClass: handler is a DNS label (a missing one reads as ""), immutable, scheduling checked; HANDLER column', async () => {
  const m = memoryStore();
  const runtimeclasses = m.rt('node.k8s.io', 'runtimeclasses');
  const rc = await m.create(runtimeclasses, { metadata: { name: 'gvisor' }, handler: 'runsc' });
  expect(await m.invalid(m.create(runtimeclasses, { metadata: { name: 'r3' } }))).toBe(`RuntimeClass.node.k8s.io "r3" is invalid: handler: Invalid value: "": ${label}`);
  expect(await m.invalid(m.create(runtimeclasses, { metadata: { name: 'r4' }, handler: 'h', overhead: { podFixed: { cpu: '-1' } }, scheduling: { tolerations: [{ key: 'k', operator: 'Exists', value: 'v' }, { operator: 'Equal' }, { key: 'k', effect: 'Bad' }, { key: 'k', effect: 'Bad' }] } })))
    .toBe('RuntimeClass.node.k8s.io "r4" is invalid: [overhead.limits[cpu]: Invalid value: "-1": must be greater than or equal to 0, '
      + 'scheduling.tolerations[0].operator: Invalid value: "v": value must be empty when `operator` is \'Exists\', '
      + 'scheduling.tolerations[1].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys", '
      + 'scheduling.tolerations[2].effect: Unsupported value: "Bad": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute", '
      + 'scheduling.tolerations[3].effect: Unsupported value: "Bad": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute", '
      + 'scheduling.tolerations[3]: Duplicate value: {"Key":"k","Operator":"","Value":"","Effect":"Bad","TolerationSeconds":null}]');
  expect(await m.invalid(m.update(runtimeclasses, { ...rc, handler: 'runc' }))).toBe('RuntimeClass.node.k8s.io "gvisor" is invalid: handler: Invalid value: "runc": field is immutable');
  expect(m.table(runtimeclasses, rc)).toMatchObject({ columns: ['Name', 'Handler', 'Age'], cells: ['gvisor', 'runsc', expect.any(String)] });
});
