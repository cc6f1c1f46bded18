// int64 integers beyond 2^53 kept exact end to end (issue 18 item 1, kube's CRD watch conformance spec
// creates `num: {num1: 9223372036854775807}`): decode, schema checks, etcd, the watch cache, watch,
// patches and the JSON and YAML encodings. One real etcd, one real API server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../support/cluster.js';

let cluster: TestCluster;
const CRDS = '/apis/apiextensions.k8s.io/v1/customresourcedefinitions';
const NOXUS = '/apis/exact.example.com/v1beta1/namespaces/default/noxus';
const max = '9223372036854775807';
const min = '-9223372036854775808';

async function call(method: string, path: string, body?: string, headers: Record<string, string> = {}) {
  const res = await fetch(cluster.url + path, { method, headers: { 'Content-Type': 'application/json', ...headers }, body });
  return { status: res.status, text: await res.text() };
}

/** Reads a watch stream's raw text until it holds `want` (JSON.parse would round the numbers we look for). */
async function watchUntil(path: string, want: string): Promise<string> {
  const controller = new AbortController();
  const res = await fetch(cluster.url + path, { signal: controller.signal });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  const timer = setTimeout(() => controller.abort(), 10_000);
  try {
    while (!text.includes(want)) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
  } catch {
    // aborted: the expectation below says what was missing
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return text;
}

beforeAll(async () => {
  cluster = await startCluster(1);
  const crd = {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'noxus.exact.example.com' },
    spec: {
      group: 'exact.example.com', scope: 'Namespaced', names: { plural: 'noxus', singular: 'noxu', kind: 'Noxu', listKind: 'NoxuList' },
      versions: [{
        name: 'v1beta1', served: true, storage: true,
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { typed: { type: 'integer', format: 'int64', minimum: 0 } } } },
      }],
    },
  };
  expect((await call('POST', CRDS, JSON.stringify(crd))).status).toBe(201);
  for (let i = 0; i < 100; i++) { // served once the instance has seen the CRD
    if ((await call('GET', NOXUS)).status === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }
});
afterAll(async () => {
  await cluster?.stop();
});

describe('integers beyond 2^53', () => {
  it('a custom resource keeps int64 exact through create, get, list, watch, YAML and a merge patch', async () => {
    const body = `{"apiVersion":"exact.example.com/v1beta1","kind":"Noxu","metadata":{"name":"big"},"num":{"num1":${max},"num2":1000000,"list":[${min},9007199254740993]},"typed":9007199254740995}`;
    const watched = watchUntil(`${NOXUS}?watch=true`, `"num1":${max}`);
    const created = await call('POST', NOXUS, body);
    expect(created.status, created.text).toBe(201);
    expect(created.text).toContain(`"num":{"num1":${max},"num2":1000000,"list":[${min},9007199254740993]}`);
    expect(created.text).toContain('"typed":9007199254740995');
    expect(await watched).toContain(`"num1":${max}`);
    const got = await call('GET', `${NOXUS}/big`);
    expect(got.text).toContain(`"num":{"num1":${max},"num2":1000000,"list":[${min},9007199254740993]}`);
    expect((await call('GET', NOXUS)).text).toContain(`"num1":${max}`);
    const yaml = await call('GET', `${NOXUS}/big`, undefined, { Accept: 'application/yaml' });
    expect(yaml.text).toContain(`num1: ${max}`);
    const patched = await call('PATCH', `${NOXUS}/big`, '{"num":{"num2":9223372036854775806}}', { 'Content-Type': 'application/merge-patch+json' });
    expect(patched.status, patched.text).toBe(200);
    expect(patched.text).toContain(`"num1":${max},"num2":9223372036854775806`);
    // A fresh read from etcd (the watch cache's copy is not the only one that is exact).
    expect((await call('GET', `${NOXUS}/big?resourceVersion=0`)).text).toContain('"num2":9223372036854775806');
  });

  it('the schema still checks them: minimum on an int64 beyond 2^53, and YAML bodies keep the digits', async () => {
    const negative = await call('POST', NOXUS, '{"apiVersion":"exact.example.com/v1beta1","kind":"Noxu","metadata":{"name":"neg"},"typed":-9007199254740995}');
    expect(negative.status).toBe(422);
    expect(negative.text).toContain('typed in body should be greater than or equal to 0');
    const yaml = `apiVersion: exact.example.com/v1beta1\nkind: Noxu\nmetadata:\n  name: from-yaml\nnum:\n  num1: ${max}\n`;
    const created = await call('POST', NOXUS, yaml, { 'Content-Type': 'application/yaml' });
    expect(created.status, created.text).toBe(201);
    expect(created.text).toContain(`"num1":${max}`);
  });

  it('a typed int64 field keeps the digits (Job activeDeadlineSeconds), a Pod\'s is range-checked, an int32 field is kube\'s decode error', async () => {
    const job = `{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":"exact"},"spec":{"activeDeadlineSeconds":9007199254740993,"template":{"spec":{"restartPolicy":"Never","containers":[{"name":"c","image":"nginx"}]}}}}`;
    const created = await call('POST', '/apis/batch/v1/namespaces/default/jobs', job);
    expect(created.status, created.text).toBe(201);
    expect((await call('GET', '/apis/batch/v1/namespaces/default/jobs/exact')).text).toContain('"activeDeadlineSeconds":9007199254740993');
    const pod = (name: string, field: string) => `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"${name}"},"spec":{${field},"containers":[{"name":"c","image":"nginx"}]}}`;
    const deadline = await call('POST', '/api/v1/namespaces/default/pods', pod('deadline', '"activeDeadlineSeconds":9223372036854775807'));
    expect(deadline.status).toBe(422);
    expect(deadline.text).toContain('spec.activeDeadlineSeconds: Invalid value: 9223372036854775807: must be between 1 and 2147483647, inclusive');
    const int32 = await call('POST', '/api/v1/namespaces/default/pods', pod('int32', '"priority":9007199254740993'));
    expect(int32.status).toBe(400);
    expect(int32.text).toContain('cannot unmarshal number 9007199254740993 into Go struct field PodSpec.spec.priority of type int32');
  });
});
