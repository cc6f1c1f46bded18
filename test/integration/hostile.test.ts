// Hostile bodies and query parameters (issue 11 items 1, 4, 5, 6; issue 10 item 4): each answered
// as kube-apiserver answers it, nothing written where kube writes nothing, and no request changes
// how the server treats the next one. One real etcd, one real API server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type TestCluster } from '../support/cluster.js';
import { openWatch } from '../support/watch.js';

let cluster: TestCluster;
const N = '/api/v1/namespaces/default/configmaps';
const D = '/apis/apps/v1/namespaces/default/deployments';

async function call(method: string, path: string, body?: unknown, contentType = 'application/json') {
  const res = await fetch(cluster.url + path, {
    method, headers: { 'Content-Type': contentType },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: any;
  try { json = JSON.parse(text); } catch { json = undefined; }
  return { status: res.status, json, text, warning: res.headers.get('warning') ?? '' };
}

const cm = (name: string, data: Record<string, string> = { a: 'b' }) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data });
const deployment = (name: string, replicas: string) =>
  `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"${name}"},"spec":{"replicas":${replicas},"selector":{"matchLabels":{"app":"x"}},"template":{"metadata":{"labels":{"app":"x"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}}}}`;

beforeAll(async () => {
  cluster = await startCluster(1);
});
afterAll(async () => {
  await cluster?.stop();
});

describe('prototype keys', () => {
  it('a JSON patch into metadata.__proto__ is 422 and pollutes nothing: Strict writes still pass', async () => {
    expect((await call('POST', N, cm('proto-a'))).status).toBe(201);
    const r = await call('PATCH', `${N}/proto-a`, [{ op: 'add', path: '/metadata/__proto__/polluted', value: 'yes' }], 'application/json-patch+json');
    expect(r.status).toBe(422);
    const strict = await call('POST', `${N}?fieldValidation=Strict`, cm('proto-after'));
    expect(strict.status).toBe(201);
    expect(strict.text).not.toContain('polluted');
    const list = await call('GET', N);
    expect(list.text).not.toContain('polluted');
  });

  it('data.__proto__ set by strategic-merge, merge and JSON patch is stored as a key', async () => {
    expect((await call('POST', N, cm('proto-b'))).status).toBe(201);
    const smp = await call('PATCH', `${N}/proto-b`, '{"data":{"__proto__":"smp"}}', 'application/strategic-merge-patch+json');
    expect(smp.status).toBe(200);
    expect(Object.hasOwn(smp.json.data, '__proto__')).toBe(true);
    expect(smp.json.data.__proto__).toBe('smp');
    const merge = await call('PATCH', `${N}/proto-b`, '{"data":{"__proto__":"merge"}}', 'application/merge-patch+json');
    expect(merge.json.data.__proto__).toBe('merge');
    const jp = await call('PATCH', `${N}/proto-b`, [{ op: 'replace', path: '/data/__proto__', value: 'json' }], 'application/json-patch+json');
    expect(jp.status).toBe(200);
    const got = await call('GET', `${N}/proto-b`);
    expect(got.text).toContain('"__proto__":"json"');
    expect(got.json.data).toEqual(JSON.parse('{"a":"b","__proto__":"json"}'));
  });

  it('data keys constructor, toString and __proto__ are accepted, not duplicates of binaryData', async () => {
    const r = await call('POST', N, '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"proto-c"},"data":{"constructor":"1","toString":"2","__proto__":"3"}}');
    expect(r.status).toBe(201);
    expect(Object.keys(r.json.data).sort()).toEqual(['__proto__', 'constructor', 'toString']);
  });

  it('field selectors on inherited names are unsupported fields (400), not 500 or a match', async () => {
    for (const name of ['__proto__', 'constructor', 'toString']) {
      const r = await call('GET', `${N}?fieldSelector=${encodeURIComponent(`${name}=x`)}`);
      expect(r.status).toBe(400);
      expect(r.json.message).toBe(`field label not supported: ${name}`);
    }
    const labels = await call('GET', `${N}?labelSelector=constructor`);
    expect(labels.status).toBe(200);
    expect(labels.json.items).toEqual([]);
  });

  it('request headers named like Object.prototype members are plain headers', async () => {
    const res = await fetch(`${cluster.url}${N}/proto-a`, { headers: { '__proto__': 'x', constructor: 'y', hasOwnProperty: 'z', 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    const post = await fetch(`${cluster.url}${N}`, { method: 'POST', headers: { 'Content-Type': 'application/json', constructor: 'y', toString: 'z' }, body: JSON.stringify(cm('proto-headers')) });
    expect(post.status).toBe(201);
  });

  it('a top-level or metadata.__proto__ object is pruned as an unknown field', async () => {
    const r = await call('POST', N, '{"apiVersion":"v1","kind":"ConfigMap","__proto__":{"x":1},"metadata":{"name":"proto-d","__proto__":{"y":2}},"data":{"a":"b"}}');
    expect(r.status).toBe(201);
    expect(r.warning).toContain('unknown field \\"__proto__\\"');
    const got = await call('GET', `${N}/proto-d`);
    expect(got.text).not.toContain('__proto__');
  });
});

describe('one decode step: fieldValidation on every verb', () => {
  it('PATCH with a duplicate key: Strict is 422 with kube\'s message, Warn answers with a warning', async () => {
    expect((await call('POST', N, cm('dup-p'))).status).toBe(201);
    const body = '{"data":{"a":"1","a":"2"}}';
    const strict = await call('PATCH', `${N}/dup-p?fieldValidation=Strict`, body, 'application/merge-patch+json');
    expect(strict.status).toBe(422);
    expect(strict.json.reason).toBe('Invalid');
    expect(strict.json.message).toMatch(/^ "" is invalid: patch: Invalid value: ".*": strict decoding error: duplicate field "data.a"$/);
    expect((await call('GET', `${N}/dup-p`)).json.data).toEqual({ a: 'b' });
    const smp = await call('PATCH', `${N}/dup-p?fieldValidation=Strict`, body, 'application/strategic-merge-patch+json');
    expect(smp.status).toBe(422);
    const warn = await call('PATCH', `${N}/dup-p?fieldValidation=Warn`, body, 'application/merge-patch+json');
    expect(warn.status).toBe(200);
    expect(warn.warning).toContain('duplicate field \\"data.a\\"');
    const jp = await call('PATCH', `${N}/dup-p?fieldValidation=Strict`, '[{"op":"add","op":"add","path":"/data/z","value":"1"}]', 'application/json-patch+json');
    expect(jp.status).toBe(422);
    expect(jp.json.message).toContain('strict decoding error: json patch duplicate field "[0].op"');
    const apply = await call('PATCH', `${N}/dup-p?fieldValidation=Strict&fieldManager=t`, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dup-p\ndata:\n  a: "1"\n  a: "2"\n', 'application/apply-patch+yaml');
    expect(apply.status).toBe(400);
    expect(apply.json.message).toContain('error strict decoding YAML');
  });

  it('PATCH unknown fields are judged on the patched object: Strict 422, Warn a warning, and dropped', async () => {
    expect((await call('POST', N, cm('unk-p'))).status).toBe(201);
    const strict = await call('PATCH', `${N}/unk-p?fieldValidation=Strict`, '{"spec":{"x":1}}', 'application/merge-patch+json');
    expect(strict.status).toBe(422);
    expect(strict.json.message).toContain('strict decoding error: unknown field "spec"');
    const warn = await call('PATCH', `${N}/unk-p`, '{"spec":{"x":1},"data":{"c":"d"}}', 'application/merge-patch+json');
    expect(warn.status).toBe(200);
    expect(warn.warning).toContain('unknown field \\"spec\\"');
    expect(warn.json.spec).toBeUndefined();
    expect(warn.json.data).toEqual({ a: 'b', c: 'd' });
  });

  it('scale bodies go through the same decode: a duplicate key under Strict is refused', async () => {
    expect((await call('POST', D, deployment('scaled', '1'))).status).toBe(201);
    const strict = await call('PATCH', `${D}/scaled/scale?fieldValidation=Strict`, '{"spec":{"replicas":2,"replicas":3}}', 'application/merge-patch+json');
    expect(strict.status).toBe(422);
    expect(strict.json.message).toContain('duplicate field "spec.replicas"');
    const ok = await call('PATCH', `${D}/scaled/scale`, '{"spec":{"replicas":4}}', 'application/merge-patch+json');
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ kind: 'Scale', spec: { replicas: 4 } });
    const put = await call('PUT', `${D}/scaled/scale?fieldValidation=Strict`, '{"apiVersion":"autoscaling/v1","kind":"Scale","metadata":{"name":"scaled"},"spec":{"replicas":5,"replicas":5}}');
    expect(put.status).toBe(400);
    expect(put.json.message).toContain('strict decoding error: duplicate field "spec.replicas"');
    expect((await call('GET', `${D}/scaled`)).json.spec.replicas).toBe(4);
  });
});

describe('nesting and aliases answer 4xx, never 500', () => {
  const deep = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

  it('JSON nested 2000 and 20000 deep in a create and in merge and strategic patches', async () => {
    expect((await call('POST', N, cm('deep'))).status).toBe(201);
    for (const depth of [2000, 20000]) {
      const create = await call('POST', N, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep-${depth}"},"x":${deep(depth)}}`);
      expect(create.status).toBe(400);
      expect(create.json.message).toContain('nesting depth exceeds the maximum of 1000');
      for (const type of ['application/merge-patch+json', 'application/strategic-merge-patch+json']) {
        const p = await call('PATCH', `${N}/deep`, `{"data":${deep(depth)}}`, type);
        expect(p.status).toBe(400);
      }
    }
  });

  it('JSON nested just under the bound is decoded: an unknown deep field is dropped, a deep value where a string goes is a decode error', async () => {
    const create = await call('POST', N, `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"deep-ok"},"x":${deep(990)}}`);
    expect(create.status).toBe(201);
    expect(create.text).not.toContain('"x"');
    const p = await call('PATCH', `${N}/deep-ok`, `{"data":{"k":${deep(990)}}}`, 'application/strategic-merge-patch+json');
    // kube-apiserver 1.35: a patched result that does not decode is 422 'patch: Invalid value' (differential case http-patch-smp-on-list-wrong-type, issue 11).
    expect(p.status).toBe(422);
    expect(p.json.message).toContain('cannot unmarshal object into Go struct field ConfigMap.data of type string');
  });

  it('a CRD carrying deep JSON (an example, nested properties) is stored and served back', async () => {
    const crd = (name: string, schema: unknown) => ({
      apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `${name}s.deep.example.com` },
      spec: { group: 'deep.example.com', scope: 'Namespaced', names: { plural: `${name}s`, singular: name, kind: name[0].toUpperCase() + name.slice(1), listKind: `${name[0].toUpperCase() + name.slice(1)}List` },
        versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: schema } }] },
    });
    const example = JSON.parse(deep(900));
    const withExample = await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd('example', { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, example }));
    expect(withExample.status).toBe(201);
    const got = await call('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/examples.deep.example.com');
    expect(got.status).toBe(200);
    expect(got.json.spec.versions[0].schema.openAPIV3Schema.example).toEqual(example);
    let props: any = { type: 'string' };
    for (let i = 0; i < 300; i++) props = { type: 'object', properties: { a: props } };
    const nested = await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd('nested', props));
    expect(nested.status).toBe(201);
  });

  it('YAML with more than 100 aliases is accepted; a billion-laughs document is 400', async () => {
    const legit = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: aliases\n  labels: &l\n    app: x\ndata:\n  v: &v hello\n'
      + Array.from({ length: 150 }, (_, i) => `  k${i}: *v`).join('\n') + '\n';
    const ok = await call('POST', N, legit, 'application/yaml');
    expect(ok.status).toBe(201);
    expect(ok.json.data.k149).toBe('hello');
    let laughs = 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    for (let i = 1; i < 10; i++) laughs += `a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(',')}]\n`;
    const bomb = await call('POST', N, `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bomb\n${laughs}`, 'application/yaml');
    expect(bomb.status).toBe(400);
    expect(bomb.json.message).toContain('excessive aliasing');
  });
});

describe('numbers out of range', () => {
  it('replicas 1e309 and 2^31 are kube\'s decode errors; nothing is stored', async () => {
    const inf = await call('POST', D, deployment('n-inf', '1e309'));
    expect(inf.status).toBe(400);
    expect(inf.json.message).toBe('Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal number 1e309 into Go struct field DeploymentSpec.spec.replicas of type int32');
    const big = await call('POST', D, deployment('n-big', '2147483648'));
    expect(big.status).toBe(400);
    expect(big.json.message).toContain('cannot unmarshal number 2147483648 into Go struct field DeploymentSpec.spec.replicas of type int32');
    expect((await call('GET', `${D}/n-inf`)).status).toBe(404);
    expect((await call('GET', `${D}/n-big`)).status).toBe(404);
    const patched = await call('PATCH', `${D}/scaled`, '{"spec":{"replicas":1e309}}', 'application/merge-patch+json');
    expect(patched.status).toBe(400);
  });

  it('int64 beyond its range is kube\'s error (within it, beyond 2^53, it is kept: exact-integers.test.ts)', async () => {
    const pod = (v: string) => `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"n-pod"},"spec":{"activeDeadlineSeconds":${v},"containers":[{"name":"c","image":"nginx"}]}}`;
    const over = await call('POST', '/api/v1/namespaces/default/pods', pod('9223372036854775808'));
    expect(over.status).toBe(400);
    expect(over.json.message).toContain('cannot unmarshal number 9223372036854775808 into Go struct field PodSpec.spec.activeDeadlineSeconds of type int64');
    expect((await call('GET', '/api/v1/namespaces/default/pods/n-pod')).status).toBe(404);
  });
});

describe('malformed query parameters are refused before anything changes', () => {
  it('DELETE ?gracePeriodSeconds=abc is 400 and the object stays', async () => {
    expect((await call('POST', N, cm('q-del'))).status).toBe(201);
    for (const q of ['gracePeriodSeconds=abc', 'gracePeriodSeconds=1.5', 'gracePeriodSeconds=99999999999999999999']) {
      const r = await call('DELETE', `${N}/q-del?${q}`);
      expect(r.status).toBe(400);
      expect(r.json.message).toMatch(/^strconv\.ParseInt: parsing ".*": (invalid syntax|value out of range)$/);
    }
    expect((await call('GET', `${N}/q-del`)).status).toBe(200);
    const body = await call('DELETE', `${N}/q-del`, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 'soon' });
    expect(body.status).toBe(400);
    expect((await call('GET', `${N}/q-del`)).status).toBe(200);
    expect((await call('DELETE', `${N}/q-del?gracePeriodSeconds=0`)).status).toBe(200);
  });

  it('a negative grace period means one second, as kube\'s BeforeDelete has it, not a refusal', async () => {
    expect((await call('POST', N, cm('q-neg'))).status).toBe(201);
    expect((await call('DELETE', `${N}/q-neg?gracePeriodSeconds=-5`)).status).toBe(200);
    expect((await call('GET', `${N}/q-neg`)).status).toBe(404);
  });

  it('an includeObject a Table cannot honour is 400', async () => {
    const res = await fetch(`${cluster.url}${N}?includeObject=Everything`, { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
    expect(res.status).toBe(400);
    expect((await res.json()).message).toContain('Unable to convert to Table as requested: includeObject: Invalid value: "Everything"');
  });

  it('limit and timeoutSeconds that are not int64 are 400', async () => {
    expect((await call('GET', `${N}?limit=abc`)).status).toBe(400);
    const unlimited = await call('GET', `${N}?limit=-1`);
    expect(unlimited.status).toBe(200);
    expect(unlimited.json.metadata.continue).toBeUndefined();
    expect((await call('GET', `${N}?timeoutSeconds=abc`)).status).toBe(400);
    expect((await call('GET', `${N}?watch=true&timeoutSeconds=1e12`)).status).toBe(400);
    expect((await call('GET', `${N}?watch=true&timeoutSeconds=x`)).status).toBe(400);
  });

  it('a huge but valid timeoutSeconds keeps the watch open', async () => {
    const w = await openWatch(`${cluster.url}${N}?watch=true&timeoutSeconds=1000000000000&resourceVersion=0`);
    try {
      await w.until((evs) => evs.some((e) => e.object?.metadata?.name === 'proto-a'), 'initial events');
      expect((await call('POST', N, cm('after-long-watch'))).status).toBe(201);
      await w.until((evs) => evs.some((e) => e.type === 'ADDED' && e.object?.metadata?.name === 'after-long-watch'), 'event after create');
    } finally {
      w.stop();
    }
  });

  it('an unprintable or overlong fieldManager and force on a non-apply patch are 422', async () => {
    expect((await call('POST', `${N}?fieldManager=${'m'.repeat(129)}`, cm('fm1'))).status).toBe(422);
    expect((await call('POST', `${N}?fieldManager=a%07b`, cm('fm2'))).status).toBe(422);
    expect((await call('PATCH', `${N}/proto-a?force=true`, '{}', 'application/merge-patch+json')).status).toBe(422);
  });
});
